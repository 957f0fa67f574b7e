/** The funnel: carts validated, checkouts started, paid; then where every cart ended up. */
import type { FunnelReport } from '../api';
import { chartFigure, emptyNote, figuresTable, s } from '../dom';
import { formatPercent } from '../money';
import { barIn, planRowText, rowLayout, stackedIn } from './geometry';
import { legend } from './legend';
import { funnelOutcomes, funnelSteps } from './models';
import { rowText } from './row-text';

export function renderFunnel(funnel: FunnelReport, width: number, locale?: string): Node[] {
  const { totals } = funnel;
  if (totals.cartsValidated === 0) return [emptyNote('No carts in this range yet.')];
  const steps = funnelSteps(totals);
  const outcomes = funnelOutcomes(totals);
  const percent = (ratio: number) => formatPercent(ratio, locale);
  const stepText = (count: number, rate: number | null) =>
    rate === null ? String(count) : `${count} · ${percent(rate)} of the step before`;

  const outcomeTexts: [string, string] = [
    'Where the carts are now',
    `${percent(totals.conversionRate)} converted`,
  ];
  const texts = [
    ...steps.map((step): [string, string] => [step.label, stepText(step.count, step.rate)]),
    outcomeTexts,
  ];
  const plan = planRowText(texts, width);
  const layout = rowLayout(texts.length, width, { twoLines: plan.twoLines });
  const outcomeRow = layout.rows[steps.length]!;
  const svg = s(
    'svg',
    { class: 'chart-svg', viewBox: `0 0 ${width} ${layout.height}`, width, height: layout.height },
    ...steps.map((step, index) => {
      const row = layout.rows[index]!;
      return s(
        'g',
        {},
        rowText(row.label, 'label', step.label),
        rowText(row.value, 'value', texts[index]![1]),
        s('rect', { class: 'track', ...row.track }),
        s('rect', { class: 'bar', ...barIn(row.track, step.count, totals.cartsValidated) }),
      );
    }),
    rowText(outcomeRow.label, 'label', outcomeTexts[0]),
    rowText(outcomeRow.value, 'value', outcomeTexts[1]),
    ...stackedIn(
      outcomeRow.track,
      outcomes.map((o) => o.count),
      totals.cartsValidated,
    ).map((rect, index) =>
      s('rect', { class: `segment outcome-${outcomes[index]!.key}`, ...rect }),
    ),
  );
  const table = figuresTable(
    'Funnel',
    ['Stage', 'Carts', 'Rate'],
    [
      ...steps.map((step) => [
        step.label,
        String(step.count),
        step.rate === null ? '' : percent(step.rate),
      ]),
      ...outcomes.slice(1).map((o) => [o.label, String(o.count), '']),
      ['Converted (paid of validated)', String(totals.paid), percent(totals.conversionRate)],
    ],
  );
  const key = legend(
    outcomes.map((o) => ({ className: `outcome-${o.key}`, label: `${o.label} ${o.count}` })),
  );
  key.setAttribute('aria-hidden', 'true');
  return [
    chartFigure(
      `${totals.cartsValidated} carts, ${totals.paid} paid (${percent(totals.conversionRate)})`,
      svg,
      table,
      key,
    ),
  ];
}
