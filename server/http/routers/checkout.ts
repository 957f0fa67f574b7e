import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { HoldLimitError } from '../../checkout/hold-guard';
import {
  CheckoutBusyError,
  CheckoutClosedError,
  CheckoutRefusedError,
  CheckoutReusedError,
  CheckoutUnavailableError,
  startCheckout,
} from '../../checkout/start-checkout';
import { Sku } from '../../domain/events';
import { publicProcedure, router } from '../trpc';

const StartCheckoutInput = z
  .object({
    checkoutId: z.string().uuid(),
    items: z
      .array(z.object({ sku: Sku, quantity: z.number().int().min(1).max(99) }).strict())
      .min(1, 'the cart is empty')
      .max(50, 'at most 50 lines')
      .refine(
        (items) => new Set(items.map((i) => i.sku)).size === items.length,
        'each sku at most once',
      ),
    // Lower-cased so the per-shopper cap cannot be dodged by changing letter case.
    email: z
      .string()
      .trim()
      .toLowerCase()
      .max(254)
      .email()
      // RFC 5321's limit: a longer one is no address Stripe (or any mail server) takes.
      .refine((email) => email.indexOf('@') <= 64, 'at most 64 characters before the @'),
    // Stripe takes return URLs up to 5,000 characters; encoding can triple a URL's length.
    returnUrl: z
      .string()
      .max(8000)
      .url()
      // `blob:http://shop.test/…` has the shop's origin too, but Stripe only returns to http(s).
      .refine((url) => !URL.canParse(url) || /^https?:$/.test(new URL(url).protocol), {
        message: 'an http or https URL',
      })
      // A page whose address carries long tracking parameters gets its shopper back all the
      // same: to the page, without them.
      .transform((url) => {
        if (!URL.canParse(url)) return url;
        const { href, origin, pathname } = new URL(url);
        return href.length <= 2000 ? url : `${origin}${pathname}`;
      })
      .refine((url) => URL.canParse(url) && new URL(url).href.length <= 2000, {
        message: 'at most 2000 characters once URL-encoded, without its query',
      }),
    // Only a hint for Stripe's page, which reads its language: any well-formed tag a browser
    // sends (es-419, zh-Hant-TW) is taken, never a reason to refuse a checkout.
    locale: z
      .string()
      .max(35)
      .regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, 'a language tag like en, it-IT or es-419')
      .optional(),
    replaces: z.array(z.string().uuid()).min(1).max(5).optional(),
  })
  .strict();

export const checkoutRouter = router({
  start: publicProcedure.input(StartCheckoutInput).mutation(async ({ ctx, input }) => {
    const { services } = ctx;
    const origin = new URL(input.returnUrl).origin;
    if (!services.config.allowedOrigins.includes(origin)) {
      // A field's problem like any other: `Invalid input: returnUrl: …`, named in data.issues.
      const message = `must be on an allowed origin; ${origin} is not one`;
      const issue = {
        code: 'custom' as const,
        path: ['returnUrl'],
        message,
        input: input.returnUrl,
      };
      throw new TRPCError({ code: 'BAD_REQUEST', message, cause: new z.ZodRealError([issue]) });
    }
    try {
      return await startCheckout(
        { ...services, publicUrl: services.config.publicUrl },
        { ...input, client: ctx.client },
      );
    } catch (error) {
      if (error instanceof CheckoutRefusedError) {
        throw new TRPCError({ code: 'BAD_REQUEST', message: error.message, cause: error });
      }
      if (error instanceof HoldLimitError) {
        throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: error.message });
      }
      if (error instanceof CheckoutClosedError || error instanceof CheckoutReusedError) {
        throw new TRPCError({ code: 'CONFLICT', message: error.message });
      }
      if (error instanceof CheckoutBusyError) {
        throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: error.message });
      }
      if (error instanceof CheckoutUnavailableError) {
        ctx.log.warn(
          { reason: error.reason, detail: error.detail, checkoutId: input.checkoutId },
          'checkout failed at Stripe',
        );
        const code = error.reason === 'stripe_refused' ? 'BAD_GATEWAY' : 'SERVICE_UNAVAILABLE';
        throw new TRPCError({ code, message: error.message });
      }
      throw error;
    }
  }),
});
