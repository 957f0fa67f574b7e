import { describe, expect, it } from 'vitest';
import { byCurrency, formatMoney, formatMoneyCompact, formatPercent } from '../../demo/admin/money';
import { minorUnitDigits } from '../../widget/state/currency';

describe('money on the analytics page', () => {
  it('formats minor units with the currency, as the reader expects', () => {
    expect(formatMoney(4500, 'eur', 'en-US')).toBe('€45.00');
    expect(formatMoney(123456, 'usd', 'en-US')).toBe('$1,234.56');
    expect(formatMoney(4500, 'eur', 'de-DE')).toBe('45,00\u00a0€');
  });

  it('knows zero- and three-decimal currencies as Stripe counts them', () => {
    expect(minorUnitDigits('jpy')).toBe(0);
    expect(formatMoney(4500, 'jpy', 'en-US')).toBe('¥4,500');
    expect(minorUnitDigits('KWD')).toBe(3);
    expect(formatMoney(1500, 'kwd', 'en-US')).toBe('KWD\u00a01.500');
    expect(minorUnitDigits('gbp')).toBe(2);
  });

  it('divides two-decimal currencies Intl shows without decimals, ISK included', () => {
    expect(formatMoney(350000, 'huf', 'en-US')).toBe('HUF\u00a03,500');
    expect(formatMoney(100, 'isk', 'en-US')).toBe('ISK\u00a01');
  });

  it('shortens axis labels without losing the currency', () => {
    expect(formatMoneyCompact(150_000, 'eur', 'en-US')).toBe('€1.5K');
    expect(formatMoneyCompact(0, 'usd', 'en-US')).toBe('$0');
  });

  it('shows rates as percentages', () => {
    expect(formatPercent(0.6667, 'en-US')).toBe('66.7%');
    expect(formatPercent(1, 'en-US')).toBe('100%');
  });

  it('groups rows by currency, in a stable order, never merging two', () => {
    const rows = [
      { currency: 'usd', revenue: 1 },
      { currency: 'eur', revenue: 2 },
      { currency: 'usd', revenue: 3 },
    ];
    const groups = byCurrency(rows);
    expect([...groups.keys()]).toEqual(['eur', 'usd']);
    expect(groups.get('usd')!.map((r) => r.revenue)).toEqual([1, 3]);
  });
});
