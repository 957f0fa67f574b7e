/**
 * Both builds are plain ASCII (other characters escaped), so neither is garbled on a page
 * that is not served as UTF-8: the classic-script build is made for such old pages.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ensureWidgetBuilt, widgetDir } from './build-widget';

test.each(['stripe-cart.js', 'stripe-cart.iife.js'])(
  '%s holds only ASCII',
  (file) => {
    ensureWidgetBuilt();
    const text = fs.readFileSync(path.join(widgetDir, file), 'utf8');
    expect(text.match(/[\u0080-\u{10ffff}]+/gu) ?? []).toEqual([]);
  },
  120_000,
);
