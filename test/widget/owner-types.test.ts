/**
 * A site owner's TypeScript, as widget/README.md writes it, type-checks against the widget's
 * types: events heard on the element, on document or on window, and `messages` with the extra
 * plural forms some languages have. (Written to a temporary folder, so the project's own
 * `tsc --noEmit` never sees it.)
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function typeErrors(source: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'review-docs-types-'));
  try {
    fs.writeFileSync(
      path.join(dir, 'owner.ts'),
      `import '${path.join(root, 'widget/index')}';\ndeclare function gtag(...args: unknown[]): void;\n${source}`,
    );
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: path.join(root, 'tsconfig.json'),
        compilerOptions: { noEmit: true, typeRoots: [path.join(root, 'node_modules/@types')] },
        include: ['owner.ts'],
      }),
    );
    try {
      execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', dir], { encoding: 'utf8' });
      return [];
    } catch (error) {
      return String((error as { stdout: string }).stdout)
        .split('\n')
        .filter((line) => line.includes('error TS'))
        .map((line) => line.replace(/^.*owner\.ts/, 'owner.ts'));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('the README examples type-check: events on document, window and the element; plural forms', {
  timeout: 60_000,
}, () => {
  expect(
    typeErrors(`
document.addEventListener('stripe-cart:paid', (event) => {
  const { orderId, total, currency } = event.detail;
  gtag('event', 'purchase', { transaction_id: orderId, value: total / 100, currency });
});
window.addEventListener('stripe-cart:change', (event) => gtag(event.detail.count));
const cart = document.querySelector('stripe-cart')!;
cart.addEventListener('stripe-cart:checkout', (event) => gtag(event.detail.checkoutUrl));
cart.messages = { items_one: ', {count} produkt', items_few: ', {count} produkty', items_many: ', {count} produktów', items_other: ', {count} produktu' };`),
  ).toEqual([]);
});
