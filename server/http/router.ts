/** The public API. The widget imports only the type `AppRouter` from here. */
import { adminRouter } from './routers/admin';
import { analyticsRouter } from './routers/analytics';
import { catalogRouter } from './routers/catalog';
import { checkoutRouter } from './routers/checkout';
import { orderRouter } from './routers/order';
import { router } from './trpc';

export const appRouter = router({
  catalog: catalogRouter,
  checkout: checkoutRouter,
  order: orderRouter,
  admin: adminRouter,
  analytics: analyticsRouter,
});

export type AppRouter = typeof appRouter;
