import type { PaymentForm } from './checkout';
import { Html, html } from './html';
import { formatMoney } from './money';
import { PAGE_CSS } from './pageStyles';
import type { PaymentField } from './payments';
import type { SessionState } from './sessions';

export interface PageError {
  message: string;
  /** The field to mark invalid and focus; none for a decline, which concerns the whole card. */
  field?: PaymentField;
}

/** The sandbox's pages are written in English whatever the session's locale (which only formats money). */
function layout(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new Html(PAGE_CSS)}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.text;
}

function localeOf(state: SessionState): string {
  const locale = state.input.locale;
  return locale === null || locale === 'auto' ? 'en' : locale;
}

/** The hosted payment page: order summary, email, card or SEPA Direct Debit, Pay and Cancel. */
export function renderPaymentPage(
  state: SessionState,
  form: PaymentForm = {},
  error?: PageError,
): string {
  const { input } = state;
  const locale = localeOf(state);
  const money = (amount: number) => formatMoney(amount, input.currency, locale);
  const total = money(input.amountTotal);
  const methods = input.paymentMethodTypes;
  const chosen = methods.find((method) => method === form.method) ?? methods[0]!;
  const invalid = (field: PaymentField) => error?.field === field;
  const fieldAttributes = (field: PaymentField, hint?: string) => {
    const describedBy = [hint, invalid(field) ? 'form-error' : undefined].filter(Boolean).join(' ');
    return html` aria-invalid="${String(invalid(field))}"${describedBy ? html` aria-describedby="${describedBy}"` : ''}${invalid(field) ? new Html(' autofocus') : ''}`;
  };

  const lines = input.lineItems.map(
    (line) => html`<tr>
<td>${line.images[0] ? html`<img src="${line.images[0]}" alt="">` : ''}<span>${line.name}</span>${line.description ? html`<br><span class="muted">${line.description}</span>` : ''}<br><span class="muted">${line.quantity} × ${money(line.unitAmount)}</span></td>
<td class="amount">${money(line.unitAmount * line.quantity)}</td>
</tr>`,
  );

  const email = input.customerEmail
    ? html`<p><span class="muted">Email</span><br><span id="email">${input.customerEmail}</span></p>`
    : html`<label for="email">Email</label>
<input type="email" id="email" name="email" autocomplete="email" required value="${form.email ?? ''}"${fieldAttributes('email')}>`;

  const methodChoice =
    methods.length > 1
      ? html`<fieldset><legend>Payment method</legend>
${methods.map(
  (method) =>
    html`<div class="choice"><input type="radio" id="method-${method}" name="method" value="${method}"${method === chosen ? new Html(' checked') : ''}><label for="method-${method}">${method === 'card' ? 'Card' : 'SEPA Direct Debit'}</label></div>`,
)}
</fieldset>`
      : html`<input type="hidden" name="method" value="${chosen}">`;

  const cardFields = methods.includes('card')
    ? html`<fieldset class="method-card"><legend>Card information</legend>
<label for="card-number">Card number</label>
<input type="text" id="card-number" name="card_number" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234"${fieldAttributes('card_number', 'card-hint')}>
<p id="card-hint" class="muted">Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined.</p>
<label for="card-expiry">Expiry date (MM / YY)</label>
<input type="text" id="card-expiry" name="card_expiry" inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY" value="${form.card_expiry ?? ''}"${fieldAttributes('card_expiry')}>
<label for="card-cvc">Security code (CVC)</label>
<input type="text" id="card-cvc" name="card_cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="123"${fieldAttributes('card_cvc')}>
</fieldset>`
    : '';

  const sepaFields = methods.includes('sepa_debit')
    ? html`<fieldset class="method-sepa_debit"><legend>SEPA Direct Debit</legend>
<label for="iban">IBAN</label>
<input type="text" id="iban" name="iban" autocomplete="off" placeholder="DE00 0000 0000 0000 0000 00"${fieldAttributes('iban', 'iban-hint')}>
<p id="iban-hint" class="muted">Test IBANs: DE89 3704 0044 0532 0130 00 is paid a moment later, DE62 3704 0044 0532 0130 01 fails a moment later.</p>
<p class="muted">By providing your IBAN and confirming this payment, you authorise the merchant and Stripe to debit your account (test mode: nothing is debited).</p>
</fieldset>`
    : '';

  const body = html`<h1>Pay ${total}</h1>
<p><span class="badge">Test mode</span> <span class="muted">Local Stripe sandbox: no real money moves.</span></p>
<h2 id="summary-heading">Order summary</h2>
<table aria-labelledby="summary-heading">
<thead><tr><th scope="col">Item</th><th scope="col" class="amount">Amount</th></tr></thead>
<tbody>${lines}</tbody>
</table>
<p class="total"><span>Total</span><span id="total">${total}</span></p>
<form method="post" action="/pay/${state.id}">
${error ? html`<p id="form-error" class="alert error" role="alert"${error.field ? '' : new Html(' tabindex="-1" autofocus')}>${error.message}</p>` : ''}
${email}
${methodChoice}
${cardFields}
${sepaFields}
<button type="submit">Pay ${total}</button>
</form>
${input.cancelUrl ? html`<p><a href="${input.cancelUrl}">Cancel and return to the shop</a></p>` : ''}`;
  return layout(`Pay ${total}`, body);
}

/** Shown instead of the form once a session is complete or expired, or for an unknown id. */
export function renderStatusPage(state: SessionState | undefined): string {
  if (!state) {
    return layout(
      'Checkout session not found',
      html`<h1>Checkout session not found</h1><p>This payment link is not valid. Return to the shop and start the checkout again.</p>`,
    );
  }
  if (state.status === 'expired') {
    return layout(
      'Checkout session expired',
      html`<h1>This checkout session has expired</h1>
<p>Nothing was charged. Return to the shop to start a new checkout.</p>
${state.input.cancelUrl ? html`<p><a href="${state.input.cancelUrl}">Return to the shop</a></p>` : ''}`,
    );
  }
  const successUrl = state.input.successUrl.replaceAll('{CHECKOUT_SESSION_ID}', state.id);
  const message =
    state.paymentStatus === 'paid'
      ? 'Your payment is complete.'
      : 'Your payment is being processed.';
  return layout(
    'Checkout session complete',
    html`<h1>This checkout session is complete</h1>
<p>${message}</p>
<p><a href="${successUrl}">Return to the shop</a></p>`,
  );
}
