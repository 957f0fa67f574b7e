/** The budget from the issue: all the widget's JavaScript at most 24 KB gzipped. */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';
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

/**
 * widget/README.md promises Safari 15.4. Class static blocks and regex lookbehind came in 16.4:
 * the TypeScript parser finds them in the bundle (a text search would also find CSS and
 * strings). Static blocks came from `useDefineForClassFields: false` once.
 */
test('the widget bundle uses nothing Safari 15.4 lacks', () => {
  ensureWidgetBuilt();
  const file = path.join(widgetDir, 'stripe-cart.js');
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isClassStaticBlockDeclaration(node)) found.push('a class static block');
    if (ts.isRegularExpressionLiteral(node) && /\(\?<[=!]/.test(node.text))
      found.push(`a lookbehind: ${node.text}`);
    ts.forEachChild(node, visit);
  };
  visit(source);
  expect(found).toEqual([]);
}, 120_000);
