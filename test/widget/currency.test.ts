/**
 * One table of Stripe's minor units for every place that shows an amount: the widget, the
 * sandbox's payment page, the analytics page and the report table all divide by it.
 */
import { describe, expect, test } from 'vitest';
import { formatMoney as adminMoney } from '../../demo/admin/money';
import { formatMoney as sandboxMoney } from '../../demo/sandbox/money';
import { formatMoney as reportMoney } from '../../projections/table';
import { minorUnitDigits } from '../../widget/state/currency';
import { formatMoney as widgetMoney } from '../../widget/state/money';

describe("Stripe's minor units", () => {
  test('zero-decimal, three-decimal and the rest, whatever ISO 4217 or Intl say', () => {
    for (const code of ['jpy', 'KRW', 'ugx', 'vnd', 'xof', 'clp']) {
      expect(minorUnitDigits(code)).toBe(0);
    }
    for (const code of ['bhd', 'KWD', 'tnd']) expect(minorUnitDigits(code)).toBe(3);
    for (const code of ['eur', 'huf', 'idr', 'cop', 'pkr', 'isk', 'twd']) {
      expect(minorUnitDigits(code)).toBe(2);
    }
  });

  test('the widget shows 3,500 forint for 350000 huf, in Intl’s decimals', () => {
    expect(widgetMoney(350000, 'huf', 'en')).toBe('HUF\u00a03,500');
    expect(widgetMoney(1500000, 'idr', 'en')).toBe('IDR\u00a015,000');
    expect(widgetMoney(100, 'isk', 'en')).toBe('ISK\u00a01');
    expect(widgetMoney(18900, 'eur', 'en')).toBe('€189.00');
    expect(widgetMoney(500, 'jpy', 'en')).toBe('¥500');
    expect(widgetMoney(1234, 'kwd', 'en')).toBe('KWD\u00a01.234');
  });

  test('the sandbox, the analytics page and the report table agree', () => {
    expect(sandboxMoney(350000, 'huf', 'en')).toBe('HUF\u00a03,500');
    expect(adminMoney(350000, 'huf', 'en')).toBe('HUF\u00a03,500');
    expect(adminMoney(100, 'isk', 'en')).toBe('ISK\u00a01');
    expect(reportMoney(350000, 'huf')).toBe('3,500 HUF');
    expect(reportMoney(250000, 'cop')).toBe('2,500 COP');
    expect(reportMoney(123450, 'eur')).toBe('1,234.50 EUR');
    expect(reportMoney(500, 'jpy')).toBe('500 JPY');
  });
});
