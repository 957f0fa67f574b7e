/** The budget from the issue: all the widget's JavaScript at most 24 KB gzipped. */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, test } from 'vitest';
import { ensureWidgetBuilt, widgetDir } from './build-widget';

const BUDGET_BYTES = 24 * 1024;

test('the widget bundle is one ES module within 24 KB gzipped', () => {
  ensureWidgetBuilt();
  // What a page downloads: the module and anything it imports (nothing, by design).
  const modules = fs
    .readdirSync(widgetDir)
    .filter((f) => f.endsWith('.js') && !f.includes('.iife.'));
  expect(modules).toEqual(['stripe-cart.js']);
  const source = fs.readFileSync(path.join(widgetDir, 'stripe-cart.js'));
  expect(source.toString()).not.toMatch(/^\s*import\s|from\s*["']/m);
  const gzipped = gzipSync(source).length;
  console.info(
    `widget: ${source.length} B minified, ${gzipped} B gzipped (budget ${BUDGET_BYTES} B)`,
  );
  expect(gzipped).toBeLessThanOrEqual(BUDGET_BYTES);
}, 120_000);
