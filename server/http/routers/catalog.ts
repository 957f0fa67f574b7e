import type { CatalogProduct } from '../../catalog/listing';
import { listCatalog } from '../../catalog/listing';
import { PRODUCTS } from '../../live-feed';
import { publicProcedure, router } from '../trpc';

interface Listing {
  list: CatalogProduct[];
  fingerprint: string;
}

export const catalogRouter = router({
  list: publicProcedure.query(({ ctx }) =>
    listCatalog(ctx.services.products, ctx.services.config.publicUrl),
  ),

  /** The whole listing now, then again whenever a product or its stock changes. */
  watch: publicProcedure.subscription(async function* ({ ctx, signal }) {
    const { products, config, feed } = ctx.services;
    const changes = feed.changes(PRODUCTS, signal)[Symbol.asyncIterator]();
    // One listing per change for all the streams, not one each.
    const listing = () =>
      feed.shared(PRODUCTS, async (): Promise<Listing> => {
        const list = await listCatalog(products, config.publicUrl);
        return { list, fingerprint: JSON.stringify(list) };
      });
    try {
      let last = await listing();
      yield last.list;
      while (!(await changes.next()).done) {
        const next = await listing();
        if (next.fingerprint === last.fingerprint) continue;
        last = next;
        yield next.list;
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
    } finally {
      // Unsubscribes at once, even when the client leaves before the first change.
      await changes.return?.();
    }
  }),
});
