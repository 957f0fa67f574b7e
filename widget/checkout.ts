/** What the checkout call sends and how it retries: the email it takes, the locale the server reads. */

export const RETRY_DELAYS_MS = [400, 1200, 3000];

export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The server takes `en` or `it-IT`; anything longer is cut to its language. */
export function serverLocale(locale: string): { locale?: string } {
  if (/^[a-z]{2}(-[A-Z]{2})?$/.test(locale)) return { locale };
  const language = locale.slice(0, 2).toLowerCase();
  return /^[a-z]{2}$/.test(language) ? { locale: language } : {};
}

/** A version 4 UUID; crypto.randomUUID exists in secure contexts only (not on http://192.168.x.x). */
export const uuid = (): string =>
  crypto.randomUUID?.() ??
  '10000000-1000-4000-8000-100000000000'.replace(/[018]/g, (c) =>
    (+c ^ (crypto.getRandomValues(new Uint8Array(1))[0]! & (15 >> (+c / 4)))).toString(16),
  );
