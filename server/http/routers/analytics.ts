/** Figures for analysts, from the read models (see projections/README.md). */
import { EventEmitter, on } from 'node:events';
import {
  FunnelReportInput,
  funnelReport,
  OrdersReportInput,
  ordersReport,
  SalesReportInput,
  salesReport,
  stockReport,
} from '../../../projections/queries';
import { adminProcedure, router } from '../trpc';

export const analyticsRouter = router({
  sales: adminProcedure
    .input(SalesReportInput)
    .query(({ ctx, input }) => salesReport(ctx.services.readModels.db, input)),
  funnel: adminProcedure
    .input(FunnelReportInput)
    .query(({ ctx, input }) => funnelReport(ctx.services.readModels.db, input)),
  orders: adminProcedure
    // Every field has a default or may be left out, so no input at all asks for the first page.
    .input(OrdersReportInput.prefault({}))
    .query(({ ctx, input }) => ordersReport(ctx.services.readModels.db, input)),
  stock: adminProcedure.query(({ ctx }) => stockReport(ctx.services.readModels.db)),

  /** Ticks with the read models' position whenever they change, so dashboards refetch. */
  watch: adminProcedure.subscription(async function* ({ ctx, signal }) {
    const ticks = new EventEmitter();
    const off = ctx.services.readModels.onChange(({ position }) => ticks.emit('change', position));
    // Listening before the first yield: a change while the client reads it must not be lost.
    const changes = on(ticks, 'change', signal ? { signal } : {});
    try {
      yield { position: null as string | null };
      for await (const [position] of changes) {
        yield { position: String(position) };
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
    } finally {
      off();
    }
  }),
});
