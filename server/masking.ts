/**
 * What is never shown or logged in full: email addresses, Stripe secrets and card numbers.
 * Masked, not removed, so a reader still sees what kind of thing was there.
 */

/** Enough to recognise one's own address: its first character and its domain. */
export const maskedEmail = (email: string) => email.replace(/^(.)[^@]*@/, '$1***@');

/**
 * An address with its @ as typed, URL-encoded (`%40`, a path or query) or JSON-escaped
 * (`\u0040`, JSON text an error message quotes). The local part takes the characters an
 * address may hold (`o'connor`) but those that also shape URLs (`/`, `?`, `=`, `&`), so a
 * path or query keeps its shape. The lookbehind has each run of address characters tried
 * once, not from each of its letters.
 */
const LOCAL = "[\\w.%+'!#$*^`{|}~-]";
const EMAIL = new RegExp(
  `(?<!${LOCAL})(${LOCAL})${LOCAL}*(@|%40|\\\\u0040)((?:[A-Za-z0-9-]+\\.)+[A-Za-z]{2,})`,
  'g',
);
/**
 * Secret and restricted keys (with or without their mode), live publishable keys, webhook
 * secrets. Real ones carry 24 or more characters; asking for 8 leaves a masked `sk_test_***`
 * as it is, so text masked once (an error message, then its log line) is not masked again.
 */
const SECRET = /(?<![A-Za-z0-9])((?:sk|rk)_(?:test_|live_)?|pk_live_|whsec_)\w{8,}/g;
/** 13 to 19 digits, in one run or grouped as cards are printed (4-4-4-4, 4-6-5, ...). */
const CARD_LIKE = /(?<!\d)(?:\d{13,19}|\d{4}(?:[ -]\d{3,6}){2,4})(?!\d)/g;

/** Masks every email address, Stripe secret and card number (a Luhn-valid digit run) in `text`. */
export function maskSensitive(text: string): string {
  return text
    .replace(EMAIL, '$1***$2$3')
    .replace(SECRET, (_secret, prefix: string) => `${prefix}***`)
    .replace(CARD_LIKE, (run) => (isCardNumber(run) ? maskedCard(run) : run));
}

function isCardNumber(run: string): boolean {
  const digits = run.replace(/\D/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Only the last four digits stay, as on a receipt. */
const maskedCard = (run: string) => run.slice(0, -4).replace(/\d/g, '*') + run.slice(-4);

/**
 * Could `text` hold something to mask? Cheap, and never wrong the unsafe way: JSON escapes
 * none of these characters, so whatever a string holds shows as is in the line (a quoted
 * `\u0040` shows as `\\u0040`, which holds it). A digit run is tried from its start only
 * (much cheaper), where a start may follow an escape such as \u0001; pino's own `"time":`
 * epoch milliseconds (13 digits) are no card. The encoded @s are looked for apart: as
 * alternatives in the pattern they made every request's lines half as slow again to check.
 */
const SUSPECT = /@|sk_|rk_|pk_live_|whsec_|(?<!(?<!\\u00[0-9a-f])\d)(?<!"time":)\d(?:[ -]?\d){12}/;
const suspect = (text: string) =>
  SUSPECT.test(text) || text.includes('%40') || text.includes('\\u0040');
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/**
 * Pino's last step before a line is written (`hooks.streamWrite`): masks every string in the
 * JSON line, whichever field, message, error message or stack it came from. Numbers and the
 * rest of the line stay byte for byte.
 */
export function maskLogLine(line: string): string {
  if (!suspect(line)) return line;
  return line.replace(JSON_STRING, (quoted) => {
    if (!suspect(quoted)) return quoted;
    const masked = maskSensitive(JSON.parse(quoted) as string);
    return JSON.stringify(masked);
  });
}
