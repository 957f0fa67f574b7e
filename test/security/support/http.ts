/**
 * Raw HTTP for hostile-input tests: exact bytes, duplicated headers, a chosen source
 * address (each 127.x.y.z is a separate client to the rate limiter), and streams (SSE)
 * read for a bounded time, so a request that never ends cannot hang a property.
 */
import http from 'node:http';

export interface RawRequest {
  method?: string;
  /** Path and query, already encoded as it goes on the wire. */
  path: string;
  /** A list value sends the header once per item (duplicated headers). */
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  localAddress?: string;
  /** How long to read a response that does not end (SSE) before hanging up. */
  readMs?: number;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** False when the server was still streaming when we hung up. */
  ended: boolean;
}

export function send(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: base.hostname,
      port: base.port,
      method: request.method ?? 'GET',
      path: request.path,
      ...(request.localAddress && { localAddress: request.localAddress }),
      agent: false,
    });
    req.on('error', reject);
    try {
      // A fixed length, not chunked: an early refusal must not leave a body to parse as a request.
      if (request.body !== undefined) {
        req.setHeader('content-length', Buffer.byteLength(request.body));
      }
      for (const [name, value] of Object.entries(request.headers ?? {})) req.setHeader(name, value);
    } catch (error) {
      // Node refused a header (a NUL, say): no half-open request may stay behind.
      req.destroy();
      reject(error);
      return;
    }
    // A server that never answers is a failure to report, not a hung suite.
    req.setTimeout(10_000, () =>
      req.destroy(
        new Error(
          `no response within 10 s to ${request.method ?? 'GET'} ${request.path.slice(0, 200)}`,
        ),
      ),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let ended = false;
      const finish = () => {
        clearTimeout(timer);
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
          ended,
        });
      };
      const timer = setTimeout(() => {
        res.destroy();
        finish();
      }, request.readMs ?? 5000);
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        ended = true;
        finish();
      });
      res.on('error', () => finish());
    });
    req.end(request.body);
  });
}

/**
 * Loopback source addresses no earlier call returned (`127.<block>.x.y`): each one a new
 * client to the server's per-address limits. One block per test file keeps files apart.
 */
export function freshAddresses(block: number): () => string {
  let last = 1;
  return () => {
    last += 1;
    return `127.${block}.${Math.floor(last / 250)}.${(last % 250) + 2}`;
  };
}
