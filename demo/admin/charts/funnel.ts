/** The funnel: carts validated, checkouts started, paid; then where every cart ended up. */
import type { FunnelReport } from '../api';
import { chartFigure, emptyNote, figuresTable } from '../dom';
import { formatPercent } from '../money';
import { type BarRow, barRows, TRACK } from './bar-rows';
import { barIn, stackedIn } from './geometry';
import { legend } from './legend';
import { funnelOutcomes, funnelSteps } from './models';

export function renderFunnel(funnel: FunnelReport, locale?: string): Node[] {
  const { totals } = funnel;
  if (totals.cartsValidated === 0) return [emptyNote('No carts in this range yet.')];
  const steps = funnelSteps(totals);
  const outcomes = funnelOutcomes(totals);
  const percent = (ratio: number) => formatPercent(ratio, locale);

  const stepRows = steps.map(
    (step): BarRow => ({
      label: step.label,
      figures: [
        { text: String(step.count) },
        ...(step.rate === null ? [] : [{ text: `${percent(step.rate)} of the step before` }]),
      ],
      marks: [{ className: 'bar', rect: barIn(TRACK, step.count, totals.cartsValidated) }],
    }),
  );
  const segments = stackedIn(
    TRACK,
    outcomes.map((o) => o.count),
    totals.cartsValidated,
  );
  const outcomeRow: BarRow = {
    label: 'Where the carts are now',
    figures: [{ text: `${percent(totals.conversionRate)} converted` }],
    marks: outcomes.map((o, index) => ({
      className: `segment outcome-${o.key}`,
      rect: segments[index]!,
    })),
  };
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
      barRows([...stepRows, outcomeRow]),
      table,
      key,
    ),
  ];
}
