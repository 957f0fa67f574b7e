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

/** The errors `tsc` finds in `source`, a file of the owner's (JSX, with `h` its factory, for `tsx`). */
function typeErrors(source: string, tsx = false): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'owner-types-'));
  const file = tsx ? 'owner.tsx' : 'owner.ts';
  try {
    fs.writeFileSync(
      path.join(dir, file),
      `import type { StripeCartAddAttributes, StripeCartAttributes } from '${path.join(root, 'widget/index')}';
declare function gtag(...args: unknown[]): void;\n${source}`,
    );
    const jsx = tsx ? { jsx: 'react', jsxFactory: 'h' } : {};
    fs.writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: path.join(root, 'tsconfig.json'),
        compilerOptions: {
          noEmit: true,
          typeRoots: [path.join(root, 'node_modules/@types')],
          ...jsx,
        },
        include: [file],
      }),
    );
    try {
      execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', dir], { encoding: 'utf8' });
      return [];
    } catch (error) {
      return String((error as { stdout: string }).stdout)
        .split('\n')
        .filter((line) => line.includes('error TS'))
        .map((line) => line.replace(/^.*owner\.tsx?/, 'owner'));
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

test('JSX with the global namespace: the README markup, `hidden` and custom properties in `style`', {
  timeout: 60_000,
}, () => {
  expect(
    typeErrors(
      `declare function h(tag: string, props: unknown, ...children: unknown[]): unknown;
export const header = <stripe-cart api="https://shop.example">Basket</stripe-cart>;
export const menuCart = <stripe-cart api="https://shop.example" hidden />;
export const themed = <stripe-cart api="/" style="--stripe-cart-accent: #0f5132" />;
export const buy = <stripe-cart-add sku="MARADONA-1986" quantity="2">Buy two</stripe-cart-add>;
// @ts-expect-error: the cart needs its api
export const nowhere = <stripe-cart />;`,
      true,
    ),
  ).toEqual([]);
});

test("JSX with a framework's own namespace (as Preact's h carries it): the elements declared there as the README shows", {
  timeout: 60_000,
}, () => {
  // Preact 10's typing: a JSX namespace on \`h\`, read before the global one. The README's
  // \`declare module 'preact'\` merges the elements into it; here the same merge, in place.
  expect(
    typeErrors(
      `declare namespace JSXInternal {
  interface Element {}
  interface IntrinsicElements {
    div: { class?: string; children?: unknown };
    'stripe-cart': StripeCartAttributes;
    'stripe-cart-add': StripeCartAddAttributes;
  }
}
declare function h(tag: string, props: unknown, ...children: unknown[]): JSXInternal.Element;
declare namespace h { export import JSX = JSXInternal; }
export const page = <div class="header"><stripe-cart api="https://shop.example" hidden /></div>;
export const buy = <stripe-cart-add sku="PELE-1958" style={{ '--stripe-cart-accent': '#0f5132' }} />;`,
      true,
    ),
  ).toEqual([]);
});
