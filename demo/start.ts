/**
 * `npm start`: the demo shop on the embedded defaults. Without STRIPE_SECRET_KEY it
 * starts the local Stripe sandbox and points the server at it; with real keys the same
 * server talks to Stripe. Also serves a plain page on a second origin that embeds the
 * widget cross-origin, as another site would.
 */

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startApp } from '../server/app';
import {
  ConfigError,
  listenError,
  loadConfig,
  loadDemoSettings,
  stripeConfiguredInEnvironment,
  stripeSettingsInEnvironment,
} from '../server/config';
import { startSandbox } from './sandbox';

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const demo = loadDemoSettings();
  const shopOrigin = `http://localhost:${demo.port}`;
  const embedOrigin = `http://localhost:${demo.embedPort}`;
  const sandbox = stripeConfiguredInEnvironment()
    ? undefined
    : await startSandbox({
        port: demo.sandboxPort,
        publicUrl: `http://localhost:${demo.sandboxPort}`,
      }).catch((error: unknown) => {
        throw listenError(error, 'SANDBOX_PORT', `127.0.0.1:${demo.sandboxPort}`);
      });

  const config = loadConfig(
    {
      CATALOG_FILE: path.join(here, 'catalog.json'),
      ADMIN_TOKEN: 'demo-admin-token-change-me',
    },
    (env) => ({
      // The demo's own pages, besides any page of yours in ALLOWED_ORIGINS: the shop at
      // PUBLIC_URL when set (a tunnel, a phone on the LAN), and at 127.0.0.1, which the server
      // logs as where it listens.
      ALLOWED_ORIGINS: [
        env.ALLOWED_ORIGINS ?? '',
        env.PUBLIC_URL && URL.canParse(env.PUBLIC_URL) ? new URL(env.PUBLIC_URL).origin : '',
        ...[shopOrigin, embedOrigin].flatMap((origin) => [
          origin,
          origin.replace('localhost', '127.0.0.1'),
        ]),
      ]
        .filter(Boolean)
        .join(','),
      // All three are the sandbox's: a webhook secret left in the shell from `stripe listen`
      // would refuse every webhook the sandbox signs.
      ...(sandbox && {
        STRIPE_SECRET_KEY: sandbox.secretKey,
        STRIPE_WEBHOOK_SECRET: sandbox.webhookSecret,
        STRIPE_API_URL: sandbox.url,
      }),
    }),
  );
  const ignored = stripeSettingsInEnvironment();
  if (sandbox && ignored.length > 0)
    console.warn(
      `  ${ignored.join(' and ')} ignored: without STRIPE_SECRET_KEY the demo uses its local sandbox`,
    );
  const app = await startApp(config, {
    pages: [{ prefix: '/', root: path.join(here, 'shop') }],
  });
  sandbox?.setWebhookUrl(`${app.url}/webhooks/stripe`);
  const embed = await serveEmbedPage(demo.embedPort, config.publicUrl);

  console.log(`
  stripe-cart demo is running
    shop            ${config.publicUrl}/
    analytics       ${config.publicUrl}/admin/   (token: ${config.adminToken ? 'ADMIN_TOKEN' : 'off'}${config.adminToken === 'demo-admin-token-change-me' ? ' = demo-admin-token-change-me' : ''})
    other origin    ${embedOrigin}/   (the widget embedded cross-origin)
    API             ${config.publicUrl}/trpc
    Stripe          ${sandbox ? `local sandbox at ${sandbox.url} (test card 4242 4242 4242 4242)` : 'real Stripe (STRIPE_SECRET_KEY)'}
    data            ${config.dataDir}
  Ctrl+C stops it.
`);

  const stop = async () => {
    embed.close();
    await app.close();
    await sandbox?.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/** A plain page on another origin, embedding the widget exactly as a site owner would. */
function serveEmbedPage(port: number, apiUrl: string): Promise<http.Server> {
  const page = fs
    .readFileSync(path.join(here, 'embed', 'index.html'), 'utf8')
    .replaceAll('%API_URL%', apiUrl);
  const server = http.createServer((request, response) => {
    if (request.url !== '/' && !request.url?.startsWith('/?')) {
      response.writeHead(404).end('Not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(listenError(error, 'DEMO_EMBED_PORT', `127.0.0.1:${port}`)),
    );
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    console.error(`stripe-cart: ${error.message}`);
    process.exit(78);
  }
  console.error(error);
  process.exit(1);
});
