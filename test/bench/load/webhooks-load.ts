/**
 * Load process for the webhook bench: signs one `checkout.session.completed` per order
 * before the clock starts, then sends them over keep-alive connections (closed-loop.ts),
 * each request a different event for a different order. Sending the same range again
 * redelivers the same events.
 * Argument: JSON {url, secret, ordersFile, from, count, connections, rate?}; with `rate` the
 * requests go out at that steady rate (paced.ts), else each connection sends as fast as answered.
 */
import { readFileSync } from 'node:fs';
import { closedLoop } from './closed-loop';
import { type LoadSummary, reportToParent } from './load-report';
import { paced } from './paced';
import type { SeededOrder } from './shop';
import { completedEventBody, loadTemplates, signature } from './stripe-events';

interface Config {
  url: string;
  secret: string;
  ordersFile: string;
  from: number;
  count: number;
  connections: number;
  rate?: number;
}

export interface WebhookLoadResult {
  summary: LoadSummary;
  recorded: number;
  nothingToDo: number;
  other: number;
  signSeconds: number;
}

const config = JSON.parse(process.argv[2]!) as Config;
const orders = (JSON.parse(readFileSync(config.ordersFile, 'utf8')) as SeededOrder[]).slice(
  config.from,
  config.from + config.count,
);
const templates = loadTemplates();
const signing = performance.now();
const requests = orders.map((order, i) => {
  const body = completedEventBody(templates, order, config.from + i);
  return {
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'stripe-signature': signature(body, config.secret),
    },
  };
});
const signSeconds = (performance.now() - signing) / 1000;

const counts = { recorded: 0, nothingToDo: 0, other: 0 };
const onResponse = (status: number, body: string) => {
  if (status !== 200) counts.other++;
  else if (body.includes('"recorded":["PaymentCompleted"]')) counts.recorded++;
  else if (body.includes('"recorded":[]')) counts.nothingToDo++;
  else counts.other++;
};
const load = { url: config.url, path: '/webhooks/stripe', connections: config.connections };
const summary = config.rate
  ? await paced({ ...load, rate: config.rate, requests, onResponse })
  : await closedLoop({ ...load, requests, onResponse });
reportToParent({ summary, ...counts, signSeconds } satisfies WebhookLoadResult);
