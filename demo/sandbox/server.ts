import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLarge, readBody, send } from './http';

type RouteHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  body: string,
) => void | Promise<void>;

export interface Routes {
  api: RouteHandler;
  page: RouteHandler;
  control: RouteHandler;
}

/** One plain node:http server: `/v1/*` Stripe's API, `/pay/*` the hosted page, `/_sandbox/*` control. */
export function createSandboxServer(routes: Routes, log: (line: string) => void): http.Server {
  return http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    try {
      const body =
        request.method === 'GET' || request.method === 'HEAD' ? '' : await readBody(request);
      const handler = url.pathname.startsWith('/v1/')
        ? routes.api
        : url.pathname.startsWith('/pay/')
          ? routes.page
          : url.pathname.startsWith('/_sandbox/')
            ? routes.control
            : null;
      if (handler) await handler(request, response, url, body);
      else send(response, 404, 'text/plain; charset=utf-8', 'Local Stripe sandbox: not found\n');
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        send(response, 413, 'text/plain; charset=utf-8', 'Request body too large\n');
        return;
      }
      log(
        `${request.method} ${url.pathname} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      if (!response.headersSent)
        send(response, 500, 'text/plain; charset=utf-8', 'Sandbox error\n');
      else response.destroy();
    }
  });
}

export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive sockets and requests held open by an injected timeout would delay close().
    server.closeAllConnections();
  });
}
