import type Stripe from 'stripe';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../demo/sandbox';
import { type Receiver, sessionParams, startReceiver, stripeFor, verify } from './helpers';

let sandbox: Sandbox;
let stripe: Stripe;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ webhookUrl: receiver.url, asyncDelayMs: 30 });
  stripe = stripeFor(sandbox);
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
afterEach(async () => {
  await sandbox.idle();
});

/** The webhooks that arrived for one session, in arrival order. */
function eventsFor(sessionId: string) {
  return receiver.received
    .map((webhook) => verify(webhook, sandbox.webhookSecret))
    .filter((event) => (event.data.object as { id?: string }).id === sessionId);
}

describe('paying with a card', () => {
  it('4242 pays: session complete and paid, payment intent, signed completed webhook, redirect to success_url', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const result = await sandbox.pay(session.id, { card: '4242 4242 4242 4242' });
    expect(result).toEqual({ redirectUrl: `http://localhost:3000/shop?paid=${session.id}` });

    const paid = await stripe.checkout.sessions.retrieve(session.id);
    expect(paid).toMatchObject({ status: 'complete', payment_status: 'paid', url: null });
    expect(paid.payment_intent).toMatch(/^pi_/);
    expect(paid.customer_details?.email).toBe('shopper@example.com');

    await sandbox.idle();
    const events = eventsFor(session.id);
    expect(events.map((event) => event.type)).toEqual(['checkout.session.completed']);
    expect(events[0]!.data.object).toEqual({ ...paid });
    expect(events[0]).toMatchObject({ object: 'event', livemode: false, pending_webhooks: 1 });
    expect(events[0]!.id).toMatch(/^evt_/);
  });

  it('4000 0000 0000 0002 is declined: the session stays open, nothing is sent', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const result = await sandbox.pay(session.id, { card: '4000 0000 0000 0002' });
    expect(result).toEqual({ declined: true, error: 'Your card was declined.' });
    await expect(stripe.checkout.sessions.retrieve(session.id)).resolves.toMatchObject({
      status: 'open',
      payment_status: 'unpaid',
      payment_intent: null,
    });
    await sandbox.idle();
    expect(eventsFor(session.id)).toEqual([]);
    // The shopper may try again with another card, as on Stripe Checkout.
    await expect(sandbox.pay(session.id)).resolves.toHaveProperty('redirectUrl');
  });

  it('refuses to take a second payment or pay an expired session', async () => {
    const paid = await stripe.checkout.sessions.create(sessionParams());
    await sandbox.pay(paid.id);
    await expect(sandbox.pay(paid.id)).resolves.toEqual({
      error: 'This Checkout Session is complete.',
    });
    const expired = await stripe.checkout.sessions.create(sessionParams());
    await stripe.checkout.sessions.expire(expired.id);
    await expect(sandbox.pay(expired.id)).resolves.toEqual({
      error: 'This Checkout Session is expired.',
    });
  });

  it('reports invalid card details without touching the session', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    await expect(sandbox.pay(session.id, { card: '4242 4242 4242 4241' })).resolves.toEqual({
      error: 'Your card number is invalid.',
    });
    await expect(
      sandbox.pay(session.id, { card: '4242424242424242', expiry: '01 / 20' }),
    ).resolves.toEqual({
      error: "Your card's expiration year is in the past.",
    });
    expect(sandbox.session(session.id)?.status).toBe('open');
  });
});

describe('paying by SEPA Direct Debit (asynchronous)', () => {
  it('DE89… completes unpaid, then async_payment_succeeded marks it paid', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const result = await sandbox.pay(session.id, { iban: 'DE89 3704 0044 0532 0130 00' });
    expect(result.redirectUrl).toContain(session.id);
    await expect(stripe.checkout.sessions.retrieve(session.id)).resolves.toMatchObject({
      status: 'complete',
      payment_status: 'unpaid',
    });

    await sandbox.idle();
    const events = eventsFor(session.id);
    expect(events.map((event) => event.type)).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_succeeded',
    ]);
    expect(events[0]!.data.object).toMatchObject({ payment_status: 'unpaid' });
    expect(events[1]!.data.object).toMatchObject({ payment_status: 'paid' });
    await expect(stripe.checkout.sessions.retrieve(session.id)).resolves.toMatchObject({
      payment_status: 'paid',
    });
  });

  it('DE62… completes unpaid, then async_payment_failed; the session stays unpaid', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    await sandbox.pay(session.id, { iban: 'DE62370400440532013001' });
    await sandbox.idle();
    expect(eventsFor(session.id).map((event) => event.type)).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_failed',
    ]);
    await expect(stripe.checkout.sessions.retrieve(session.id)).resolves.toMatchObject({
      status: 'complete',
      payment_status: 'unpaid',
    });
  });

  it('settles when the test says: settle() sends the outcome at once, and after that has none to send', async () => {
    const slow = await startSandbox({ webhookUrl: receiver.url, asyncDelayMs: 24 * 3_600_000 });
    try {
      const client = stripeFor(slow);
      const debit = await client.checkout.sessions.create(sessionParams());
      const card = await client.checkout.sessions.create(sessionParams());
      await slow.pay(debit.id, { iban: 'DE89370400440532013000' });
      await slow.pay(card.id, { card: '4242424242424242' });
      expect(slow.session(debit.id)).toMatchObject({ payment_status: 'unpaid' });

      expect(slow.settle(card.id)).toBe(false);
      expect(slow.settle(debit.id)).toBe(true);
      expect(slow.session(debit.id)).toMatchObject({ payment_status: 'paid' });
      await slow.idle();
      const types = slow.events().filter((e) => e.data.object.id === debit.id);
      expect(types.map((e) => e.type)).toEqual([
        'checkout.session.completed',
        'checkout.session.async_payment_succeeded',
      ]);
      expect(slow.settle(debit.id)).toBe(false);
    } finally {
      await slow.close();
    }
  });

  it('is not offered when the session asked for cards only', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({ allowed_payment_method_types: ['card'] }),
    );
    await expect(sandbox.pay(session.id, { iban: 'DE89370400440532013000' })).resolves.toEqual({
      error: 'Choose a payment method.',
    });
    const page = await (await fetch(`${sandbox.url}/pay/${session.id}`)).text();
    expect(page).not.toContain('IBAN');
  });
});

describe('the hosted payment page', () => {
  it('shows the lines, the total, the email, labelled card and IBAN fields, Pay and Cancel', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams({ locale: 'de' }));
    const response = await fetch(session.url!);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();

    const euros = (minor: number) =>
      new Intl.NumberFormat('de', { style: 'currency', currency: 'EUR' }).format(minor / 100);
    // Its text is English whatever the session's locale, which formats the amounts.
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('Zidane 1998 rookie card');
    expect(page).toContain(`2 × ${euros(1250)}`);
    expect(page).toContain(`<span id="total">${euros(2999)}</span>`);
    expect(page).toContain('<span id="email">shopper@example.com</span>');
    for (const [id, name, label] of [
      ['card-number', 'card_number', 'Card number'],
      ['card-expiry', 'card_expiry', 'Expiry date (MM / YY)'],
      ['card-cvc', 'card_cvc', 'Security code (CVC)'],
      ['iban', 'iban', 'IBAN'],
    ]) {
      expect(page).toContain(`<label for="${id}">${label}</label>`);
      expect(page).toMatch(new RegExp(`<input type="text" id="${id}" name="${name}"`));
    }
    expect(page).toContain('<label for="method-card">Card</label>');
    expect(page).toContain('<label for="method-sepa_debit">SEPA Direct Debit</label>');
    expect(page).toContain(`<form method="post" action="/pay/${session.id}">`);
    expect(page).toContain(`<button type="submit">Pay ${euros(2999)}</button>`);
    expect(page).toContain(
      '<a href="http://localhost:3000/shop?cancelled=1">Cancel and return to the shop</a>',
    );
    expect(page).toContain(':focus-visible');
    // Nothing loaded from elsewhere but the merchant's product images.
    expect(page).not.toMatch(/<script|<link|@import|url\(/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('asks for the email when the session has none', async () => {
    const session = await stripe.checkout.sessions.create(
      sessionParams({ customer_email: undefined }),
    );
    const page = await (await fetch(session.url!)).text();
    expect(page).toContain('<label for="email">Email</label>');
    expect(page).toContain(
      '<input type="email" id="email" name="email" autocomplete="email" required',
    );
    await expect(
      sandbox.pay(session.id, { card: '4242424242424242', email: 'nope' }),
    ).resolves.toEqual({
      error: 'Your email address is invalid.',
    });
    await sandbox.pay(session.id, { card: '4242424242424242', email: 'walk-in@example.com' });
    expect(sandbox.session(session.id)?.customer_details).toMatchObject({
      email: 'walk-in@example.com',
    });
  });

  it('a submitted 4242 form redirects (303) to the success URL', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const response = await fetch(session.url!, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({
        method: 'card',
        card_number: '4242 4242 4242 4242',
        card_expiry: '12 / 40',
        card_cvc: '123',
      }),
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`http://localhost:3000/shop?paid=${session.id}`);
    expect(sandbox.session(session.id)?.payment_status).toBe('paid');
  });

  it('a declined card stays on the page with the message announced and the session open', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const response = await fetch(session.url!, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({
        method: 'card',
        card_number: '4000 0000 0000 0002',
        card_expiry: '12 / 40',
        card_cvc: '123',
      }),
    });
    expect(response.status).toBe(402);
    const page = await response.text();
    expect(page).toContain(
      // A decline concerns no one field: the alert itself takes focus.
      '<p id="form-error" class="alert error" role="alert" tabindex="-1" autofocus>Your card was declined.</p>',
    );
    expect(page).toContain('<button type="submit">');
    expect(page).not.toContain('4000 0000 0000 0002"'); // the number is not echoed back into the field
    expect(sandbox.session(session.id)?.status).toBe('open');
  });

  it('an invalid field is marked, described and focused', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const response = await fetch(session.url!, {
      method: 'POST',
      body: new URLSearchParams({ method: 'sepa_debit', iban: 'DE00 1234' }),
    });
    expect(response.status).toBe(400);
    const page = await response.text();
    expect(page).toContain('role="alert">Your IBAN is invalid.</p>');
    expect(page).toMatch(
      /id="iban"[^>]*aria-invalid="true" aria-describedby="iban-hint form-error" autofocus/,
    );
    expect(page).toMatch(/id="method-sepa_debit" name="method" value="sepa_debit" checked/);
  });

  it('shows a clear page for complete, expired and unknown sessions', async () => {
    const paid = await stripe.checkout.sessions.create(sessionParams());
    const payUrl = paid.url!;
    await sandbox.pay(paid.id);
    expect(await (await fetch(payUrl)).text()).toContain('This checkout session is complete');

    const expired = await stripe.checkout.sessions.create(sessionParams());
    await sandbox.expire(expired.id);
    const expiredPage = await fetch(expired.url!);
    expect(await expiredPage.text()).toContain('This checkout session has expired');

    const unknown = await fetch(`${sandbox.url}/pay/cs_test_unknown`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('Checkout session not found');
  });

  it('escapes what the merchant sent', async () => {
    const [line] = sessionParams().line_items!;
    const session = await stripe.checkout.sessions.create(
      sessionParams({
        line_items: [
          {
            ...line!,
            price_data: {
              ...line!.price_data!,
              product_data: { name: '<img src=x onerror=alert(1)>' },
            },
          },
        ],
      }),
    );
    const page = await (await fetch(session.url!)).text();
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img src=x');
  });
});

describe('the control API over HTTP (/_sandbox)', () => {
  const control = (path: string, body?: unknown, key = sandbox.secretKey, on = sandbox) =>
    fetch(`${on.url}/_sandbox${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it('pays, expires and reads sessions for another process', async () => {
    const session = await stripe.checkout.sessions.create(sessionParams());
    const paid = await control(`/sessions/${session.id}/pay`, { card: '4242424242424242' });
    expect(await paid.json()).toEqual({
      redirectUrl: `http://localhost:3000/shop?paid=${session.id}`,
    });
    const read = await control(`/sessions/${session.id}`);
    expect(await read.json()).toMatchObject({ status: 'complete', payment_status: 'paid' });

    const other = await stripe.checkout.sessions.create(sessionParams());
    const expired = await control(`/sessions/${other.id}/expire`, {});
    expect(await expired.json()).toMatchObject({ status: 'expired' });
    // A debit that would not settle by itself before the test asks (the shared sandbox's
    // settle within 30 ms, sooner than two calls can be made on a busy machine).
    const slow = await startSandbox({ asyncDelayMs: 24 * 3_600_000 });
    try {
      const debit = await stripeFor(slow).checkout.sessions.create(sessionParams());
      const pay = await control(
        `/sessions/${debit.id}/pay`,
        { iban: 'DE62370400440532013001' },
        slow.secretKey,
        slow,
      );
      expect(pay.status).toBe(200);
      const settled = await control(`/sessions/${debit.id}/settle`, {}, slow.secretKey, slow);
      expect(await settled.json()).toEqual({ settled: true });
      expect(slow.events().at(-1)).toMatchObject({
        type: 'checkout.session.async_payment_failed',
        data: { object: { id: debit.id } },
      });
    } finally {
      await slow.close();
    }
    expect((await control('/sessions/cs_test_nope')).status).toBe(404);
    expect((await control('/idle', {})).status).toBe(200);
  });

  it('requires the sandbox secret key and validates bodies', async () => {
    expect((await control('/sessions', undefined, 'sk_test_wrong')).status).toBe(401);
    expect((await control('/fail', { kind: 'meteor' })).status).toBe(400);
  });
});

describe('logging and public URL', () => {
  it('logs what happened without card numbers, IBANs or secrets; session URLs use publicUrl', async () => {
    const lines: string[] = [];
    const own = await startSandbox({
      publicUrl: 'http://localhost:4242/',
      webhookUrl: receiver.url,
      asyncDelayMs: 10,
      log: (line) => lines.push(line),
    });
    try {
      const client = stripeFor(own);
      const session = await client.checkout.sessions.create(sessionParams());
      expect(session.url).toBe(`http://localhost:4242/pay/${session.id}`);
      await own.pay(session.id, { card: '4000000000000002' });
      await fetch(`${own.url}/pay/${session.id}`, {
        method: 'POST',
        redirect: 'manual',
        body: new URLSearchParams({ method: 'sepa_debit', iban: 'DE89370400440532013000' }),
      });
      await stripeFor(own, {})
        .checkout.sessions.retrieve(session.id, {}, { apiKey: 'sk_test_wrong_0002' })
        .catch(() => undefined);
      await own.idle();

      expect(lines.some((line) => line.includes('-> redirect'))).toBe(true);
      expect(lines.some((line) => line.startsWith('webhook checkout.session.completed'))).toBe(
        true,
      );
      for (const secret of [
        '4000000000000002',
        'DE89',
        own.secretKey,
        own.webhookSecret,
        'sk_test_wrong',
      ]) {
        expect(lines.filter((line) => line.includes(secret))).toEqual([]);
      }
    } finally {
      await own.close();
    }
  });
});
