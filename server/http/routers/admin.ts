import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { ProductCommand } from '../../catalog/product';
import { available } from '../../catalog/product';
import {
  amountStripeTakes,
  ProductChangeInput,
  productInputFields,
} from '../../catalog/product-input';
import { DomainError } from '../../domain/decider';
import { Sku } from '../../domain/events';
import type { Services } from '../../services';
import { adminProcedure, router } from '../trpc';

const ProductFields = z.object(productInputFields).strict();

type Command = ProductCommand extends infer C
  ? C extends ProductCommand
    ? Omit<C, 'at'>
    : never
  : never;

async function run(services: Services, command: Command) {
  try {
    const sku = 'product' in command ? command.product.sku : command.sku;
    const handled = await services.products.execute(
      { ...command, at: services.now().toISOString() } as ProductCommand,
      { correlationId: sku, causationId: 'admin' },
    );
    return { changed: handled.events.map((e) => e.type), available: available(handled.state) };
  } catch (error) {
    if (error instanceof DomainError) {
      throw new TRPCError({
        code: error.code === 'unknown_sku' ? 'NOT_FOUND' : 'BAD_REQUEST',
        message: error.message,
      });
    }
    throw error;
  }
}

export const adminRouter = router({
  products: adminProcedure.query(async ({ ctx }) => {
    const states = await ctx.services.products.states(ctx.services.products.skus());
    return [...states.values()].flatMap((s) =>
      s.details
        ? [
            {
              ...s.details,
              listed: s.listed,
              onHand: s.onHand,
              held: s.held,
              available: available(s),
            },
          ]
        : [],
    );
  }),
  listProduct: adminProcedure
    .input(
      ProductFields.extend({ stock: z.number().int().min(0).max(1_000_000) }).superRefine(
        amountStripeTakes,
      ),
    )
    .mutation(({ ctx, input: { stock, ...product } }) =>
      run(ctx.services, { type: 'ListProduct', product, stock }),
    ),
  /** Sets the fields sent; the product decider merges them with the product as stored. */
  updateProduct: adminProcedure
    .input(ProductChangeInput)
    .mutation(({ ctx, input: { sku, ...changes } }) =>
      run(ctx.services, { type: 'UpdateProduct', sku, changes }),
    ),
  delistProduct: adminProcedure
    .input(z.object({ sku: Sku }).strict())
    .mutation(({ ctx, input }) => run(ctx.services, { type: 'DelistProduct', sku: input.sku })),
  adjustStock: adminProcedure
    .input(
      z
        .object({
          sku: Sku,
          delta: z
            .number()
            .int()
            .min(-1_000_000)
            .max(1_000_000)
            .refine((d) => d !== 0, 'must not be 0'),
          reason: z.string().trim().min(1).max(200),
          requestId: z.string().uuid().optional(),
        })
        .strict(),
    )
    .mutation(({ ctx, input }) => run(ctx.services, { type: 'AdjustStock', ...input })),
  /** A late payment's missing units settled another way (refunded): a restock no longer fills them. */
  settleShortfall: adminProcedure
    .input(
      z
        .object({ sku: Sku, orderId: z.string().uuid(), reason: z.string().trim().min(1).max(200) })
        .strict(),
    )
    .mutation(({ ctx, input }) => run(ctx.services, { type: 'SettleShortfall', ...input })),
});
