/**
 * Security headers for every response, computed once. (@fastify/helmet re-runs helmet's
 * whole configuration on every request; the headers never change, so helmet runs once
 * here against a stub response and its output is replayed.)
 */
import type { ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * `inlineScripts`: the demo pages bootstrap with small inline scripts, as many shops do; the
 * analytics page, which takes the admin token, loads only its own files and gets none.
 */
export function securityHeaders(publicUrl: string, inlineScripts = true): Record<string, string> {
  const https = publicUrl.startsWith('https:');
  // Product image URLs are absolute, made from PUBLIC_URL, and a page may address the API
  // by it too: a visitor who reached this server by another name still loads both.
  const publicOrigin = new URL(publicUrl).origin;
  const headers: Record<string, string> = {};
  const stub = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: () => {},
  } as unknown as ServerResponse;
  helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: inlineScripts ? ["'self'", "'unsafe-inline'"] : ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        // Catalog images may be on any https host (the site's own, a CDN).
        imgSrc: ["'self'", publicOrigin, 'https:', 'data:'],
        connectSrc: ["'self'", publicOrigin],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: https ? [] : null,
      },
    },
    // The widget bundle and product images are meant to be loaded by other origins.
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    crossOriginEmbedderPolicy: false,
    // Plain-HTTP deployments (the demo, tests) must not be pinned to HTTPS.
    strictTransportSecurity: https,
  })({} as never, stub, () => {});
  return headers;
}
