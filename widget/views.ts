/** The cart's markup, as functions of what to show: no state lives here. */
import { html, nothing, type TemplateResult } from 'lit';
import type { CatalogProduct, OrderView } from './api';
import type { Translate } from './i18n';
import type { CartLine } from './state/cart';
import { MAX_QUANTITY } from './state/cart';
import { isFinal, statusMessage } from './state/order-status';
import type { LineFix, LineIssue, LineProblem } from './state/problems';
import { cartCurrency, fixFor, lineIssues } from './state/problems';

type Money = (amount: number, currency: string) => string;
/** The `lang` of the shop's product names: the page's, inside a panel in the widget's. */
type NameLang = string | typeof nothing;

export interface LineActions {
  setQuantity(sku: string, quantity: number): void;
  remove(sku: string): void;
  fix(sku: string, fix: LineFix): void;
}

interface CartActions extends LineActions {
  checkout(event: Event): void;
  email(value: string): void;
}

export const cartIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="9" cy="20" r="1.5"/><circle cx="18" cy="20" r="1.5"/><path d="M2 3h3l2.6 12.2a2 2 0 0 0 2 1.6h8.2a2 2 0 0 0 2-1.5L22 7H6"/></svg>`;

function issueText(t: Translate, issue: LineIssue): string {
  switch (issue.kind) {
    case 'sold_out':
      return t('soldOut');
    case 'only_left':
      return t('onlyLeft', { count: issue.available });
    case 'unavailable':
      return t('unavailable');
    case 'currency':
      return t('otherCurrency', { currency: issue.currency.toUpperCase() });
    case 'too_much':
      return t('tooMuch');
  }
}

function lineView(
  t: Translate,
  money: Money,
  line: CartLine,
  product: CatalogProduct | undefined,
  issue: LineIssue | undefined,
  actions: LineActions,
  nameLang: NameLang,
): TemplateResult {
  const name = product?.name ?? line.sku;
  const max = Math.min(
    MAX_QUANTITY,
    product && product.available > 0 ? product.available : MAX_QUANTITY,
  );
  const fix = issue && fixFor(issue);
  const issueId = `issue-${line.sku}`;
  const step = (quantity: number, disabled: boolean) => () => {
    if (!disabled) actions.setQuantity(line.sku, quantity);
  };
  const atMin = line.quantity <= 1;
  const atMax = line.quantity >= max;
  // Without a product, an issue says what is wrong ("No longer available": the catalog has
  // come without it); without either, the catalog has not come yet.
  const price = product
    ? t('each', { price: money(product.unitAmount, product.currency) })
    : issue
      ? nothing
      : t('loading');
  return html`<li class="line" part="line" data-sku=${line.sku}>
    ${
      product?.image
        ? html`<img part="image" src=${product.image} alt="" width="64" height="64" loading="lazy" />`
        : html`<span class="ph" part="image"></span>`
    }
    <div>
      <p class="name" part="name" lang=${nameLang}>${name}</p>
      <p class="each" part="price">${price}</p>
    </div>
    <p class="amount" part="line-total">
      ${product ? money(product.unitAmount * line.quantity, product.currency) : nothing}
    </p>
    ${
      issue && fix
        ? html`<p class="issue" part="issue" id=${issueId}>
          <span>${issueText(t, issue)}</span>
          <button class="fix" part="fix" type="button" @click=${() => actions.fix(line.sku, fix)}>
            ${fix.type === 'remove' ? t('fixRemove') : t('fixReduce', { count: fix.quantity })}
            <span class="sr">${name}</span>
          </button>
        </p>`
        : nothing
    }
    <div class="controls">
      <div class="stepper" part="stepper" role="group" aria-label=${t('quantity', { name })}>
        <button type="button" aria-label=${t('decrease', { name })} aria-disabled=${atMin}
          @click=${step(line.quantity - 1, atMin)}>&minus;</button>
        <input type="number" inputmode="numeric" min="1" max=${max} .value=${String(line.quantity)}
          aria-label=${t('quantity', { name })}
          aria-describedby=${issue ? issueId : nothing}
          @change=${(e: Event) => {
            const input = e.target as HTMLInputElement;
            const quantity = Number.parseInt(input.value, 10);
            // 0 removes the line as Remove does, which also takes care of the focus.
            if (quantity < 1) actions.remove(line.sku);
            else if (quantity) actions.setQuantity(line.sku, quantity);
            input.value = String(line.quantity);
          }} />
        <button type="button" aria-label=${t('increase', { name })} aria-disabled=${atMax}
          @click=${step(line.quantity + 1, atMax)}>+</button>
      </div>
      <button class="remove" part="remove" type="button" aria-label=${t('removeLabel', { name })}
        @click=${() => actions.remove(line.sku)}>${t('remove')}</button>
    </div>
  </li>`;
}

export function orderView(
  t: Translate,
  money: Money,
  locale: string,
  order: OrderView | null,
  orderId: string,
  onContinue: () => void,
  nameLang: NameLang,
): TemplateResult {
  const status = order?.status;
  const tone = status === 'paid' ? 'paid' : status && isFinal(status) ? 'bad' : '';
  return html`<section class="order" part="order">
    <p class="status ${tone}" part="status" data-status=${status ?? 'loading'}>
      ${status === 'paid' ? html`<span aria-hidden="true">&check;</span>` : nothing}
      ${status ? t(statusMessage[status]) : t('loading')}
    </p>
    <p class="muted">${t('orderNumber', { id: orderId.slice(0, 8).toUpperCase() })}</p>
    ${
      order
        ? html`<ul>
            ${order.lines.map(
              (
                l,
              ) => html`<li><span>${l.quantity.toLocaleString(locale)} &times; <span lang=${nameLang}>${l.name}</span></span>
                <span>${money(l.amount, order.currency)}</span></li>`,
            )}
          </ul>
          <p class="row"><span>${t('total')}</span><span>${money(order.total, order.currency)}</span></p>
          ${status === 'paid' ? html`<p class="muted">${t('receipt', { email: order.email })}</p>` : nothing}`
        : nothing
    }
    <button class="primary" part="continue" type="button" @click=${onContinue}>${t('continue')}</button>
  </section>`;
}

/**
 * The cart's body and its checkout form; values come one by one so the bundle stays small.
 * While busy the pay button is aria-disabled, not disabled: Chromium drops focus from a
 * disabled button, and focus must still be on it when a failure is shown (checkout()
 * ignores clicks meanwhile).
 */
export function cartView(
  t: Translate,
  money: Money,
  lines: readonly CartLine[],
  products: ReadonlyMap<string, CatalogProduct> | null,
  refusals: ReadonlyMap<string, LineProblem>,
  notice: string,
  offline: boolean,
  email: string,
  emailError: boolean,
  error: string,
  busy: boolean,
  actions: CartActions,
  nameLang: NameLang,
): TemplateResult {
  const issues = lineIssues(lines, products, refusals);
  const currency = products ? cartCurrency(lines, products) : undefined;
  const subtotal = lines.reduce((sum, line) => {
    const product = products?.get(line.sku);
    return product && product.currency === currency
      ? sum + product.unitAmount * line.quantity
      : sum;
  }, 0);
  return html`<div class="body" part="body">
      ${notice ? html`<p class="note" part="notice" role="status">${notice}</p>` : nothing}
      ${offline ? html`<p class="note" part="notice">${t('offline')}</p>` : nothing}
      ${
        lines.length === 0
          ? html`<p class="empty">${t('empty')}</p>`
          : html`<ul part="lines">
            ${lines.map((line) =>
              lineView(
                t,
                money,
                line,
                products?.get(line.sku),
                issues.get(line.sku),
                actions,
                nameLang,
              ),
            )}
          </ul>`
      }
    </div>
    ${
      lines.length === 0
        ? nothing
        : html`<footer part="footer">
          <form novalidate @submit=${actions.checkout}>
            <p class="row" part="subtotal">
              <span>${t('subtotal')}</span>
              <span>${currency ? money(subtotal, currency) : '…'}</span>
            </p>
            <label for="email">${t('email')}</label>
            <input id="email" part="email" type="email" name="email" autocomplete="email"
              required .value=${email} aria-invalid=${emailError}
              aria-describedby=${emailError ? 'email-error' : nothing}
              @input=${(e: Event) => actions.email((e.target as HTMLInputElement).value)} />
            ${
              emailError
                ? html`<p class="field-error" id="email-error">${t('emailInvalid')}</p>`
                : nothing
            }
            <p class="note alert" part="error" role="alert" ?hidden=${!error}>${error}</p>
            <button class="pay" part="checkout" type="submit" aria-disabled=${busy}
              >${busy ? t('paying') : t('pay')}</button>
          </form>
        </footer>`
    }`;
}
