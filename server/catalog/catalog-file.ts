/**
 * The catalog file (CATALOG_FILE): products to list at start. An entry changed since the
 * file was last read becomes a ProductUpdated event, never a silent overwrite; an unchanged
 * entry changes nothing, so the site owner's edits and delistings through the admin API
 * outlive a restart. Stock in the file is only the initial stock of a newly listed product
 * (later changes are admin stock adjustments, so sales are never undone by a restart).
 */
import fs from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../config';
import { amountStripeTakes, productInputFields } from './product-input';
import type { Products } from './products';

const CatalogFile = z.object({
  products: z
    .array(
      z
        .object({ ...productInputFields, stock: z.number().int().min(0) })
        .strict()
        .superRefine(amountStripeTakes),
    )
    .min(1)
    .superRefine((products, context) => {
      // Two entries for one sku would take turns at every start, each undoing the other.
      const seen = new Set<string>();
      products.forEach(({ sku }, index) => {
        if (seen.has(sku))
          context.addIssue({
            code: 'custom',
            path: [index, 'sku'],
            message: `${sku} is listed twice`,
          });
        seen.add(sku);
      });
    }),
});

export type CatalogEntry = z.infer<typeof CatalogFile>['products'][number];

export function readCatalogFile(file: string): CatalogEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `Cannot read CATALOG_FILE ${file}: ${error instanceof Error ? error.message : error}`,
    );
  }
  const parsed = CatalogFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'expected {"products": [...]}';
    throw new ConfigError(`Invalid CATALOG_FILE ${file}: ${where}: ${issue.message}`);
  }
  return parsed.data.products;
}

/** Syncs every entry; returns how many product events it appended. */
export async function syncCatalog(
  products: Products,
  entries: CatalogEntry[],
  at: string,
): Promise<number> {
  let appended = 0;
  for (const { stock, ...product } of entries) {
    const handled = await products.execute(
      { type: 'SyncCatalogEntry', product, stock, at },
      { correlationId: product.sku, causationId: 'catalog-file' },
    );
    appended += handled.events.length;
  }
  products.register(entries.map((e) => e.sku));
  return appended;
}
