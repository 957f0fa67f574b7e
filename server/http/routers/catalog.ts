import type { CatalogProduct } from '../../catalog/listing';
import { listCatalog } from '../../catalog/listing';
import { PRODUCTS } from '../../live-feed';
import { publicProcedure, router } from '../trpc';

const fingerprint = (list: CatalogProduct[]) => JSON.stringify(list);

export const catalogRouter = router({
  list: publicProcedure.query(({ ctx }) =>
    listCatalog(ctx.services.products, ctx.services.config.publicUrl),
  ),

  /** The whole listing now, then again whenever a product or its stock changes. */
  watch: publicProcedure.subscription(async function* ({ ctx, signal }) {
    const { products, config, feed } = ctx.services;
    const changes = feed.changes(PRODUCTS, signal)[Symbol.asyncIterator]();
    try {
      let last = await listCatalog(products, config.publicUrl);
      yield last;
      while (!(await changes.next()).done) {
        const next = await listCatalog(products, config.publicUrl);
        if (fingerprint(next) === fingerprint(last)) continue;
        last = next;
        yield next;
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
    } finally {
      // Unsubscribes at once, even when the client leaves before the first change.
      await changes.return?.();
    }
  }),
});
