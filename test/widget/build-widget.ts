/**
 * The built widget for tests: reuses dist/widget when it is newer than every source file,
 * otherwise builds it (into a temporary folder, then renamed into place, so two test files
 * building at once never see half a file).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const widgetDir = path.join(repoRoot, 'dist', 'widget');
export const widgetFile = path.join(widgetDir, 'stripe-cart.js');

/** The build's inputs: its config, the compiler settings, the locked packages, the widget's code. */
function newestSource(): number {
  const files = ['vite.config.ts', 'tsconfig.json', 'package-lock.json'].map((f) =>
    path.join(repoRoot, f),
  );
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push(full);
    }
  };
  walk(path.join(repoRoot, 'widget'));
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

export function ensureWidgetBuilt(): string {
  if (fs.existsSync(widgetFile) && fs.statSync(widgetFile).mtimeMs >= newestSource()) {
    return widgetFile;
  }
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stripe-cart-widget-'));
  const vite = path.join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  execFileSync(
    process.execPath,
    [vite, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: repoRoot,
      stdio: 'inherit',
    },
  );
  fs.mkdirSync(widgetDir, { recursive: true });
  // The module last: whoever sees it complete also finds its source map and the IIFE.
  const names = fs
    .readdirSync(outDir)
    .sort((a, b) => Number(a === 'stripe-cart.js') - Number(b === 'stripe-cart.js'));
  for (const name of names) {
    const target = path.join(widgetDir, name);
    fs.copyFileSync(path.join(outDir, name), `${target}.tmp-${process.pid}`);
    fs.renameSync(`${target}.tmp-${process.pid}`, target);
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  return widgetFile;
}
