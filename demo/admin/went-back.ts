/** What went back of the sales, in words: the totals card and the top products say it alike. */

/**
 * The refunds made and the disputes lost (of sales of any day), each only when not 0. A range
 * can hold more coming back than going (a refund that failed, an appeal won, of a loss before
 * the range): said as such, not as a minus.
 */
export function wentBack(
  figures: { refunded: number; lostToDisputes: number },
  money: (amount: number) => string,
): string[] {
  const said = (amount: number, out: string, back: string) =>
    amount > 0 ? `${out} ${money(amount)}` : amount < 0 ? `${back} ${money(-amount)}` : null;
  return [
    said(figures.refunded, 'Refunded', 'Failed refunds back'),
    said(figures.lostToDisputes, 'Lost to disputes', 'Won back from disputes'),
  ].filter((part) => part !== null);
}
