/**
 * How many digits a currency's minor unit has, as Stripe counts amounts. This is Stripe's
 * table, not ISO 4217's nor Intl's: HUF, IDR or COP have two (Intl shows none), and so does
 * ISK (100 is 1 króna), while UGX has none. Every place that shows an amount divides by it.
 */
const ZERO_DECIMAL = new Set(
  'bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '),
);
const THREE_DECIMAL = new Set('bhd jod kwd omr tnd'.split(' '));

export function minorUnitDigits(currency: string): number {
  const code = currency.toLowerCase();
  return ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
}
