/**
 * Every word the widget shows, per language. Site owners override any of them with the
 * `messages` attribute (JSON) or property; `{name}`-style placeholders are filled in.
 */

const en = {
  cart: 'Cart',
  /** After the cart button's label, for screen readers: "Cart, 3 items". */
  items_one: ', {count} item',
  items_other: ', {count} items',
  title: 'Your cart',
  close: 'Close',
  empty: 'Your cart is empty.',
  loading: 'Loading…',
  quantity: 'Quantity of {name}',
  decrease: 'One less {name}',
  increase: 'One more {name}',
  remove: 'Remove',
  removeLabel: 'Remove {name} from the cart',
  each: '{price} each',
  subtotal: 'Subtotal',
  email: 'Email for the receipt',
  emailInvalid: 'Enter a valid email address.',
  pay: 'Pay with card',
  paying: 'Starting checkout…',
  soldOut: 'Sold out',
  onlyLeft: 'Only {count} left',
  unavailable: 'No longer available',
  otherCurrency: 'Priced in {currency}: buy it separately',
  tooMuch: 'More than one payment can take',
  fixReduce: 'Reduce to {count}',
  fixRemove: 'Remove it',
  refused: 'Some items changed. Please check the marked lines.',
  retrying: 'Connection problem, trying again…',
  network: 'We could not reach the shop. Check your connection and try again.',
  offline: 'Reconnecting: prices and stock may be out of date.',
  conflict: 'This checkout has already ended. Please try again.',
  limited: 'Too many attempts. Please wait a minute and try again.',
  held: 'Too many items wait in unpaid checkouts. Finish one, or try again later.',
  tooSmall: 'The total is below the smallest card payment. Add something to the cart.',
  paymentDown: 'The payment could not start. Please try again.',
  failed: 'Something went wrong. Please try again.',
  cancelled: 'Checkout cancelled. Your cart is still here.',
  orderUnknown: 'We could not find this order. Your cart is still here.',
  orderTitle: 'Your order',
  orderNumber: 'Order {id}',
  total: 'Total',
  statusWaiting: 'Confirming your payment…',
  statusPending: 'Payment processing…',
  statusPaid: 'Payment received',
  statusFailed: 'The payment failed; nothing was charged.',
  statusExpired: 'The checkout expired; nothing was charged.',
  statusCheckoutFailed: 'The checkout could not start; nothing was charged.',
  receipt: 'A receipt is on its way to {email}.',
  continue: 'Continue shopping',
  added: '{name} added to the cart.',
  removed: '{name} removed from the cart.',
  changed: '{name}: {count} in the cart.',
  cleared: 'The cart is empty.',
  addToCart: 'Add to cart',
};

export type MessageKey = keyof typeof en;
export type Messages = Record<MessageKey, string>;
/** What a site may set: any text, and the plural forms some languages add (pluralKey). */
export type MessageOverrides = Partial<
  Messages & Record<'items_zero' | 'items_two' | 'items_few' | 'items_many', string>
>;

const it: Messages = {
  cart: 'Carrello',
  items_one: ', {count} articolo',
  items_other: ', {count} articoli',
  title: 'Il tuo carrello',
  close: 'Chiudi',
  empty: 'Il carrello è vuoto.',
  loading: 'Caricamento…',
  quantity: 'Quantità di {name}',
  decrease: '{name}: uno in meno',
  increase: '{name}: uno in più',
  remove: 'Rimuovi',
  removeLabel: 'Rimuovi {name} dal carrello',
  each: '{price} cad.',
  subtotal: 'Subtotale',
  email: 'Email per la ricevuta',
  emailInvalid: 'Inserisci un indirizzo email valido.',
  pay: 'Paga con carta',
  paying: 'Avvio del pagamento…',
  soldOut: 'Esaurito',
  onlyLeft: 'Disponibili: {count}',
  unavailable: 'Non più disponibile',
  otherCurrency: 'Prezzo in {currency}: acquistalo a parte',
  tooMuch: 'Supera il massimo di un pagamento',
  fixReduce: 'Riduci a {count}',
  fixRemove: 'Rimuovilo',
  refused: 'Alcuni articoli sono cambiati. Controlla le righe segnalate.',
  retrying: 'Problema di connessione, nuovo tentativo…',
  network: 'Impossibile raggiungere il negozio. Controlla la connessione e riprova.',
  offline: 'Riconnessione: prezzi e disponibilità potrebbero non essere aggiornati.',
  conflict: 'Questo pagamento è già concluso. Riprova.',
  limited: 'Troppi tentativi. Attendi un minuto e riprova.',
  held: 'Troppi articoli in pagamenti non conclusi. Concludine uno o riprova più tardi.',
  tooSmall: 'Il totale è sotto il pagamento minimo con carta. Aggiungi qualcosa al carrello.',
  paymentDown: 'Il pagamento non è partito. Riprova.',
  failed: 'Qualcosa è andato storto. Riprova.',
  cancelled: 'Pagamento annullato. Il carrello è ancora qui.',
  orderUnknown: 'Non troviamo questo ordine. Il carrello è ancora qui.',
  orderTitle: 'Il tuo ordine',
  orderNumber: 'Ordine {id}',
  total: 'Totale',
  statusWaiting: 'Conferma del pagamento…',
  statusPending: 'Pagamento in elaborazione…',
  statusPaid: 'Pagamento ricevuto',
  statusFailed: 'Il pagamento non è riuscito; nessun addebito.',
  statusExpired: 'Il pagamento è scaduto; nessun addebito.',
  statusCheckoutFailed: 'Il pagamento non è partito; nessun addebito.',
  receipt: 'La ricevuta è in arrivo a {email}.',
  continue: 'Continua gli acquisti',
  added: 'Articolo aggiunto al carrello: {name}.',
  removed: 'Articolo rimosso dal carrello: {name}.',
  changed: '{name}: {count} nel carrello.',
  cleared: 'Il carrello è vuoto.',
  addToCart: 'Aggiungi al carrello',
};

export const locales: Record<string, Messages> = { en, it };

/**
 * The `locale` asked for, else the element's or page's `lang`, else the browser's, as a
 * canonical BCP 47 tag; `en_US` reads as `en-US`, and a tag Intl rejects is skipped.
 */
export function resolveLocale(element: Element, requested?: string): string {
  for (const tag of [requested, nearestLang(element), navigator.language]) {
    try {
      if (tag) return Intl.getCanonicalLocales(tag.replaceAll('_', '-'))[0]!;
    } catch {
      // Not a language tag: the next one.
    }
  }
  return 'en';
}

/** The nearest `lang`, out through the shadow roots the element is in (a header component's). */
const nearestLang = (element: Element): string | null | undefined =>
  element.closest('[lang]')?.getAttribute('lang') ??
  ((element.getRootNode() as ShadowRoot).host &&
    nearestLang((element.getRootNode() as ShadowRoot).host));

/** The page's language where the element stands: the shop's product names, the site's labels. */
export const pageLang = (element: Element): string | undefined => nearestLang(element) ?? undefined;

/** The widget's own texts for the locale: its language's, else English. */
const tableFor = (locale: string): Messages | undefined =>
  locales[locale.split('-')[0]!.toLowerCase()];

/**
 * The language of the texts, for their `lang`: the locale's when the widget has its texts,
 * else English. None when the site gives texts of its own, taken to be in the page's.
 */
export function textLanguage(locale: string, overrides?: MessageOverrides): string | undefined {
  if (overrides && Object.keys(overrides).length) return undefined;
  return tableFor(locale) ? locale : 'en';
}

/** The locale's texts with the overrides that are text (a property may hold a null, say). */
export function messagesFor(locale: string, overrides?: MessageOverrides): Messages {
  const messages = { ...(tableFor(locale) ?? en) };
  for (const key in overrides)
    if (typeof overrides[key as MessageKey] === 'string')
      messages[key as MessageKey] = overrides[key as MessageKey]!;
  return messages;
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** Fills in the placeholders, numbers in the locale's digits (Arabic-Indic ones in ar-EG, say). */
export function translator(messages: Messages, locale: string): Translate {
  return (key, values) =>
    messages[key].replace(/\{(\w+)\}/g, (match, name: string) =>
      values && name in values ? values[name]!.toLocaleString(locale) : match,
    );
}

/** Parses the `messages` attribute; a typo there must not break the cart, but is reported. */
export function parseMessages(json: string | null): MessageOverrides | undefined {
  if (!json) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    // Reported below, as any other JSON that is not an object.
  }
  if (typeof value !== 'object' || !value || Array.isArray(value)) {
    console.error('<stripe-cart>: the messages attribute is not a JSON object');
    return undefined;
  }
  const messages: MessageOverrides = {};
  const unknown: string[] = [];
  for (const [key, text] of Object.entries(value)) {
    // items_zero, _two, _few, _many: the plural forms other languages have (pluralKey).
    if ((key in en || /^items_(zero|two|few|many)$/.test(key)) && typeof text === 'string')
      messages[key as MessageKey] = text;
    else unknown.push(key);
  }
  if (unknown.length)
    console.warn(
      `<stripe-cart>: the messages attribute has unknown keys or non-text values: ${unknown}`,
    );
  return messages;
}

/**
 * The count's plural form in `messages`: items_one, or items_few, items_many… when given
 * (Polish has them), else items_other.
 */
export function pluralKey(locale: string, count: number, messages: object = en): MessageKey {
  const key = `items_${new Intl.PluralRules(locale).select(count)}`;
  return (key in messages ? key : 'items_other') as MessageKey;
}
