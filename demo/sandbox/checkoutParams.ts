import type { ParamSpec } from './params';

/**
 * The parameters of `POST /v1/checkout/sessions` the sandbox accepts: the product's subset of
 * Stripe's, with Stripe's names, types and limits (test/sandbox checks them against Stripe's
 * OpenAPI spec). Parameters Stripe has and the sandbox lacks are refused as unknown, so a
 * product change that starts using one fails loudly here rather than silently.
 */
const CHECKOUT_LOCALES = [
  'auto',
  'bg',
  'cs',
  'da',
  'de',
  'el',
  'en',
  'en-GB',
  'es',
  'es-419',
  'et',
  'fi',
  'fil',
  'fr',
  'fr-CA',
  'hr',
  'hu',
  'id',
  'it',
  'ja',
  'ko',
  'lt',
  'lv',
  'ms',
  'mt',
  'nb',
  'nl',
  'pl',
  'pt',
  'pt-BR',
  'ro',
  'ru',
  'sk',
  'sl',
  'sv',
  'th',
  'tr',
  'vi',
  'zh',
  'zh-HK',
  'zh-TW',
] as const;

/** Stripe's list; the sandbox can take payments with `card` and `sepa_debit` only. */
const PAYMENT_METHOD_TYPES = [
  'acss_debit',
  'afterpay_clearpay',
  'alipay',
  'au_becs_debit',
  'bacs_debit',
  'bancontact',
  'boleto',
  'card',
  'eps',
  'fpx',
  'giropay',
  'grabpay',
  'ideal',
  'klarna',
  'konbini',
  'oxxo',
  'p24',
  'paynow',
  'sepa_debit',
  'sofort',
  'us_bank_account',
  'wechat_pay',
] as const;

export const CHECKOUT_SESSION_CREATE_PARAMS = {
  mode: { type: 'string', required: true, enum: ['payment', 'setup', 'subscription'] },
  line_items: {
    type: 'array',
    required: true,
    maxItems: 100,
    items: {
      type: 'object',
      properties: {
        price_data: {
          type: 'object',
          required: true,
          properties: {
            currency: { type: 'string', required: true },
            unit_amount: { type: 'integer', required: true, min: 0, max: 99_999_999 },
            product_data: {
              type: 'object',
              required: true,
              properties: {
                name: { type: 'string', required: true, maxLength: 5000 },
                description: { type: 'string', maxLength: 40_000 },
                images: { type: 'array', maxItems: 8, items: { type: 'string', maxLength: 2048 } },
              },
            },
          },
        },
        quantity: { type: 'integer', required: true, min: 1, max: 999_999 },
      },
    },
  },
  customer_email: { type: 'string', maxLength: 800 },
  client_reference_id: { type: 'string', maxLength: 200 },
  metadata: { type: 'map', values: { type: 'string', maxLength: 500 } },
  expires_at: { type: 'integer' },
  success_url: { type: 'string', required: true, maxLength: 5000 },
  cancel_url: { type: 'string', maxLength: 5000 },
  locale: { type: 'string', enum: CHECKOUT_LOCALES },
  payment_method_types: { type: 'array', items: { type: 'string', enum: PAYMENT_METHOD_TYPES } },
  allowed_payment_method_types: { type: 'array', items: { type: 'string', maxLength: 5000 } },
  expand: { type: 'array', items: { type: 'string', maxLength: 5000 } },
} as const satisfies Record<string, ParamSpec>;

/** The query of `GET /v1/checkout/sessions`: newest first, from after `starting_after`. */
export const CHECKOUT_SESSION_LIST_PARAMS = {
  payment_intent: { type: 'string', maxLength: 5000 },
  limit: { type: 'integer', min: 1, max: 100 },
  starting_after: { type: 'string', maxLength: 5000 },
  expand: { type: 'array', items: { type: 'string', maxLength: 5000 } },
} as const satisfies Record<string, ParamSpec>;

export interface RawListParams {
  payment_intent?: string;
  limit?: number;
  starting_after?: string;
  expand?: string[];
}

/** Parameters newer than the OpenAPI spec in ../shared/stripe, accepted on purpose. */
export const PARAMS_NEWER_THAN_SPEC: readonly string[] = [
  // The stripe package's API version replaced payment_method_types with this filter.
  'allowed_payment_method_types',
];

/** The validated form, as `validateParams` returns it for the schema above. */
export interface RawCreateParams {
  mode: 'payment' | 'setup' | 'subscription';
  line_items: {
    price_data: {
      currency: string;
      unit_amount: number;
      product_data: { name: string; description?: string; images?: string[] };
    };
    quantity: number;
  }[];
  customer_email?: string;
  client_reference_id?: string;
  metadata?: Record<string, string>;
  expires_at?: number;
  success_url: string;
  cancel_url?: string;
  locale?: (typeof CHECKOUT_LOCALES)[number];
  payment_method_types?: (typeof PAYMENT_METHOD_TYPES)[number][];
  allowed_payment_method_types?: string[];
  expand?: string[];
}
