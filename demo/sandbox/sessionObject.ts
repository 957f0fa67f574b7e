import type { JsonObject } from './fixtures';
import type { SessionState } from './sessions';

/** A `checkout.session` as the API returns it; the fields the product reads are typed. */
export interface CheckoutSessionObject {
  id: string;
  object: 'checkout.session';
  status: 'open' | 'complete' | 'expired';
  payment_status: 'paid' | 'unpaid';
  payment_intent: string | null;
  url: string | null;
  amount_total: number;
  currency: string;
  metadata: Record<string, string>;
  client_reference_id: string | null;
  customer_email: string | null;
  expires_at: number;
  success_url: string;
  cancel_url: string | null;
  [field: string]: unknown;
}

const NO_ADDRESS = {
  city: null,
  country: null,
  line1: null,
  line2: null,
  postal_code: null,
  state: null,
};

export function toSessionObject(
  state: SessionState,
  pageUrl: string,
  template: JsonObject,
): CheckoutSessionObject {
  const { input } = state;
  const own: CheckoutSessionObject = {
    id: state.id,
    object: 'checkout.session',
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: input.amountTotal,
    amount_total: input.amountTotal,
    automatic_tax: { enabled: false, liability: null, provider: null, status: null },
    billing_address_collection: null,
    cancel_url: input.cancelUrl,
    client_reference_id: input.clientReferenceId,
    client_secret: null,
    created: state.created,
    currency: input.currency,
    custom_fields: [],
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: null,
    customer_creation: 'if_required',
    customer_details:
      state.collectedEmail === null
        ? null
        : {
            address: NO_ADDRESS,
            business_name: null,
            email: state.collectedEmail,
            individual_name: null,
            name: null,
            phone: null,
            tax_exempt: 'none',
            tax_ids: [],
          },
    customer_email: input.customerEmail,
    discounts: [],
    expires_at: input.expiresAt,
    invoice: null,
    invoice_creation: null,
    livemode: false,
    locale: input.locale,
    metadata: input.metadata,
    mode: 'payment',
    payment_intent: state.paymentIntent,
    payment_link: null,
    payment_method_collection: 'if_required',
    payment_method_options: {},
    payment_method_types: input.paymentMethodTypes,
    payment_status: state.paymentStatus,
    phone_number_collection: { enabled: false },
    recovered_from: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: state.status,
    submit_type: null,
    subscription: null,
    success_url: input.successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    // Stripe only shows the URL while the session can still be paid.
    url: state.status === 'open' ? pageUrl : null,
  };
  // The template's key order first (Stripe's), then anything the fixtures lack.
  return { ...template, ...own };
}
