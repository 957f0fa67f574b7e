/**
 * The analytics page's own build: `npm run build:admin` writes dist/admin, served by
 * the demo at /admin/. Everything is bundled: the page loads nothing from elsewhere.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/admin/',
  publicDir: false,
  build: {
    outDir: path.resolve(here, '../../dist/admin'),
    emptyOutDir: true,
    target: 'es2022',
  },
});
