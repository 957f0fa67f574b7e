/**
 * A flood of forged webhooks (a scan, a wrong secret left in a sender) is counted in
 * /metrics and said in the log now and then, with how many came since: not a warning per
 * request, which at LOG_LEVEL=warn would let anyone fill the disk.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

const lines: { level: number; msg: string; alsoRefusedSince?: number }[] = [];
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    env: { LOG_LEVEL: 'warn' },
    logTo: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
});
afterAll(async () => {
  await t?.close();
});

it('says the first refusal at once, then no line per forged webhook', async () => {
  const FLOOD = 200;
  const started = performance.now();
  for (let i = 0; i < FLOOD; i++) {
    const response = await fetch(`${t.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': 't=1,v1=deadbeef' },
      body: JSON.stringify({ id: `evt_${i}`, type: 'checkout.session.completed' }),
    });
    expect(response.status).toBe(400);
  }
  const refused = lines.filter((line) => line.msg === 'webhook refused');
  expect(refused[0]).toMatchObject({ level: 40, alsoRefusedSince: 0 });
  // One line per 10 s at most, however fast the machine sent them.
  const windows = Math.ceil((performance.now() - started) / 10_000);
  expect(refused.length).toBeLessThanOrEqual(windows);
  const metrics = await (await fetch(`${t.url}/metrics`)).text();
  expect(metrics).toMatch(
    new RegExp(
      `^stripe_cart_webhooks_total\\{type="unverified",result="refused"\\} ${FLOOD}$`,
      'm',
    ),
  );
});
