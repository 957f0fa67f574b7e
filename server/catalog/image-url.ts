/**
 * A product's image as Stripe and a widget on another origin need it: an absolute http(s)
 * URL of at most 2,048 characters (Stripe's limit), a relative path resolved against the
 * shop's public URL. Anything else is no image at all, rather than a refused checkout.
 */
const MAX_LENGTH = 2048;

export function imageUrl(image: string, publicUrl: string): string | null {
  const base = `${publicUrl}/`;
  if (!image || !URL.canParse(image, base)) return null;
  const url = new URL(image, base);
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  return web && url.href.length <= MAX_LENGTH ? url.href : null;
}
