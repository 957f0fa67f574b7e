import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productStream } from '../../server/domain/events';
import type { TestApp } from '../support/app';
import { catalogEntry, clientFor, startTestApp, testCatalog } from '../support/app';
import { availableOf, checkout } from '../support/orders';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => {
  await t?.close();
});

const productEvents = async (sku: string) =>
  (await t.app.services.store.readStream(productStream(sku))).map((e) => e.type);

describe('the catalog', () => {
  it('lists the catalog file as events, once', async () => {
    expect(await productEvents('PELE-1958')).toEqual(['ProductListed', 'StockAdjusted']);
  });

  it('turns a price change in the catalog file into ProductUpdated at the next start, keeping sales', async () => {
    const order = await checkout(t, [{ sku: 'MALDINI-2003', quantity: 1 }]);
    await t.sandbox.pay(order.sessionId);
    await t.sandbox.idle();
    const sandbox = t.sandbox;
    await t.app.close();
    const catalog = testCatalog.map((p) =>
      p.sku === 'MALDINI-2003' ? { ...p, unitAmount: 4900 } : p,
    );
    t = await startTestApp({ dataDir: t.dataDir, sharedSandbox: sandbox, catalog });
    const events = await productEvents('MALDINI-2003');
    expect(events).toEqual(['ProductListed', 'StockAdjusted', 'StockReserved', 'ProductUpdated']);
    const maldini = (await t.client.catalog.list.query()).find((p) => p.sku === 'MALDINI-2003');
    expect(maldini).toMatchObject({ unitAmount: 4900, available: 0 });
  });

  it('pushes stock changes to catalog.watch', async () => {
    const seen: number[] = [];
    const sub = t.client.catalog.watch.subscribe(undefined, {
      onData: (list) => seen.push(list.find((p) => p.sku === 'PELE-1958')!.available),
    });
    try {
      await expect.poll(() => seen.length).toBe(1);
      await checkout(t, [{ sku: 'PELE-1958', quantity: 1 }]);
      await expect.poll(() => seen.at(-1)).toBe(seen[0]! - 1);
    } finally {
      sub.unsubscribe();
    }
  });
});

describe('admin procedures', () => {
  it('refuse a missing or wrong token', async () => {
    await expect(t.client.admin.products.query()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
    const wrong = clientFor(t.url, { authorization: 'Bearer not-the-token-at-all' });
    await expect(
      wrong.admin.adjustStock.mutate({ sku: 'PELE-1958', delta: 100, reason: 'x' }),
    ).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
    await expect(wrong.analytics.sales.query({})).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED' },
    });
  });

  it('record a product update and a stock adjustment as events', async () => {
    const before = await availableOf(t, 'BAGGIO-1994');
    await t.admin.admin.adjustStock.mutate({ sku: 'BAGGIO-1994', delta: 5, reason: 'restock' });
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before + 5);
    await t.admin.admin.updateProduct.mutate({
      sku: 'BAGGIO-1994',
      name: 'Roberto Baggio 1994',
      unitAmount: 5000,
      currency: 'eur',
    });
    const events = await productEvents('BAGGIO-1994');
    expect(events.slice(-2)).toEqual(['StockAdjusted', 'ProductUpdated']);
    const recorded = await t.app.services.store.readStream(productStream('BAGGIO-1994'));
    for (const event of recorded.slice(-2)) {
      expect(event.metadata).toMatchObject({ correlationId: 'BAGGIO-1994', causationId: 'admin' });
    }
    expect((await t.client.catalog.list.query()).find((p) => p.sku === 'BAGGIO-1994')?.name).toBe(
      'Roberto Baggio 1994',
    );
  });

  it('make an adjustment sent with a requestId once, however often it is retried', async () => {
    const before = await availableOf(t, 'BAGGIO-1994');
    const restock = {
      sku: 'BAGGIO-1994',
      delta: 7,
      reason: 'delivery 1042',
      requestId: '6f9c2a8e-1d4b-4c3a-9e7f-0a1b2c3d4e5f',
    };
    // The answer to the first may be lost on the way back: the caller sends it again.
    const answers = [
      await t.admin.admin.adjustStock.mutate(restock),
      await t.admin.admin.adjustStock.mutate(restock),
      await t.admin.admin.adjustStock.mutate(restock),
    ];
    expect(answers.map((a) => a.changed)).toEqual([['StockAdjusted'], [], []]);
    expect(await availableOf(t, 'BAGGIO-1994')).toBe(before + 7);
    const adjusted = (await productEvents('BAGGIO-1994')).filter((e) => e === 'StockAdjusted');
    const again = await t.admin.admin.adjustStock.mutate({
      ...restock,
      requestId: '7a0d3b9f-2e5c-4d4b-8f80-1b2c3d4e5f60',
    });
    expect(again.changed).toEqual(['StockAdjusted']);
    expect((await productEvents('BAGGIO-1994')).filter((e) => e === 'StockAdjusted')).toHaveLength(
      adjusted.length + 1,
    );
    await expect(
      t.admin.admin.adjustStock.mutate({ ...restock, requestId: 'not-a-uuid' }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    // The same id for another adjustment is refused, not answered as made.
    const events = (await productEvents('BAGGIO-1994')).length;
    await expect(t.admin.admin.adjustStock.mutate({ ...restock, delta: -3 })).rejects.toMatchObject(
      { data: { code: 'BAD_REQUEST' }, message: expect.stringContaining('already adjusted') },
    );
    expect((await productEvents('BAGGIO-1994')).length).toBe(events);
  });

  it('refuse a blank reason, a blank name or one of two lines, and listing a product already listed, changing nothing', async () => {
    const events = (await productEvents('BAGGIO-1994')).length;
    await expect(
      t.admin.admin.adjustStock.mutate({ sku: 'BAGGIO-1994', delta: 1, reason: '   ' }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    const { stock: _stock, ...baggio } = testCatalog.find((p) => p.sku === 'BAGGIO-1994')!;
    await expect(
      t.admin.admin.updateProduct.mutate({ ...baggio, name: '  ' }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
    // A name of two lines would break the cart's line, Stripe's page and the reports' tables.
    for (const name of ['Roberto\nBaggio', 'Roberto\tBaggio', 'Baggio\u0000'])
      await expect(t.admin.admin.updateProduct.mutate({ ...baggio, name })).rejects.toMatchObject({
        data: { code: 'BAD_REQUEST' },
        message: expect.stringContaining('name: one line, without control characters'),
      });
    await expect(
      t.admin.admin.listProduct.mutate({ ...baggio, unitAmount: 1, stock: 40 }),
    ).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: expect.stringContaining('already listed'),
    });
    expect((await productEvents('BAGGIO-1994')).length).toBe(events);
  });

  it('refuse a three-decimal price Stripe does not take (not a multiple of 10)', async () => {
    const kwd = { sku: 'KWD-CARD', name: 'Kuwaiti card', unitAmount: 1005, currency: 'kwd' };
    await expect(t.admin.admin.listProduct.mutate({ ...kwd, stock: 2 })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: expect.stringContaining('a multiple of 10'),
    });
    expect(await t.admin.admin.listProduct.mutate({ ...kwd, unitAmount: 1010, stock: 2 })).toEqual({
      changed: ['ProductListed', 'StockAdjusted'],
      available: 2,
    });
  });

  it('refuse an ISK price in fractional krónur, which Stripe no longer takes', async () => {
    const isk = { sku: 'ISK-CARD', name: 'Icelandic card', unitAmount: 12_350, currency: 'isk' };
    await expect(t.admin.admin.listProduct.mutate({ ...isk, stock: 2 })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: expect.stringContaining('a multiple of 100'),
    });
    expect(
      await t.admin.admin.listProduct.mutate({ ...isk, unitAmount: 12_300, stock: 2 }),
    ).toEqual({
      changed: ['ProductListed', 'StockAdjusted'],
      available: 2,
    });
  });

  it('refuse to take stock below what orders hold', async () => {
    await checkout(t, [{ sku: 'PELE-1958', quantity: 1 }]);
    const all = await t.admin.admin.products.query();
    const pele = all.find((p) => p.sku === 'PELE-1958')!;
    await expect(
      t.admin.admin.adjustStock.mutate({ sku: 'PELE-1958', delta: -pele.onHand, reason: 'lost' }),
    ).rejects.toMatchObject({ data: { code: 'BAD_REQUEST' } });
  });

  it('delist a product so it can no longer be bought', async () => {
    await t.admin.admin.listProduct.mutate({
      sku: 'TEMP-1',
      name: 'Temp',
      unitAmount: 100,
      currency: 'eur',
      stock: 5,
    });
    await t.admin.admin.delistProduct.mutate({ sku: 'TEMP-1' });
    expect((await t.client.catalog.list.query()).some((p) => p.sku === 'TEMP-1')).toBe(false);
    await expect(checkout(t, [{ sku: 'TEMP-1', quantity: 1 }])).rejects.toMatchObject({
      data: { problems: [{ sku: 'TEMP-1', code: 'delisted' }] },
    });
  });
});

describe('updateProduct', () => {
  const signed = {
    name: 'Signed card',
    description: 'signed on the back',
    // Absolute, so catalog.list shows it as given.
    image: 'https://cdn.example/signed.jpg',
    unitAmount: 1000,
    currency: 'eur',
  };
  let listings = 0;
  /** A new product with every detail set, so a test sees which ones an update keeps. */
  async function listSigned(details: Partial<typeof signed> = {}) {
    listings += 1;
    const sku = `SIGNED-${listings}`;
    await t.admin.admin.listProduct.mutate({ sku, ...signed, ...details, stock: 1 });
    return sku;
  }
  const shown = async (sku: string) =>
    (await t.client.catalog.list.query()).find((p) => p.sku === sku);

  it('keeps the description and image a price change leaves out', async () => {
    const sku = await listSigned();
    const answer = await t.admin.admin.updateProduct.mutate({
      sku,
      name: 'Signed card',
      unitAmount: 19900,
      currency: 'eur',
    });
    expect(answer.changed).toEqual(['ProductUpdated']);
    expect(await shown(sku)).toMatchObject({ ...signed, unitAmount: 19900 });
  });

  it('changes only the fields sent', async () => {
    const sku = await listSigned();
    await t.admin.admin.updateProduct.mutate({ sku, unitAmount: 2500 });
    expect(await shown(sku)).toMatchObject({ ...signed, unitAmount: 2500 });
    await t.admin.admin.updateProduct.mutate({ sku, name: 'Signed card (mint)' });
    expect(await shown(sku)).toMatchObject({
      ...signed,
      name: 'Signed card (mint)',
      unitAmount: 2500,
    });
  });

  it('clears a field sent empty', async () => {
    const sku = await listSigned();
    await t.admin.admin.updateProduct.mutate({ sku, description: '' });
    expect(await shown(sku)).toMatchObject({ ...signed, description: '' });
  });

  it('records nothing, and answers changed: [], when the fields sent are the ones it has', async () => {
    const sku = await listSigned();
    const events = (await productEvents(sku)).length;
    expect(
      await t.admin.admin.updateProduct.mutate({ sku, name: signed.name, unitAmount: 1000 }),
    ).toEqual({ changed: [], available: 1 });
    expect((await productEvents(sku)).length).toBe(events);
  });

  it('refuses an update that names no field to change', async () => {
    const sku = await listSigned();
    await expect(t.admin.admin.updateProduct.mutate({ sku })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: expect.stringContaining('at least one field to change'),
    });
  });

  it('refuses a new currency without its price, which would read the old amount in it', async () => {
    const sku = await listSigned({ unitAmount: 1000 });
    const events = (await productEvents(sku)).length;
    await expect(
      t.admin.admin.updateProduct.mutate({ sku, currency: 'jpy' }),
    ).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: expect.stringContaining('unitAmount: required with a new currency (eur to jpy)'),
    });
    expect((await productEvents(sku)).length).toBe(events);
    // The currency it has, sent again with another change, needs no price.
    await t.admin.admin.updateProduct.mutate({ sku, name: 'Renamed', currency: 'eur' });
    await t.admin.admin.updateProduct.mutate({ sku, currency: 'jpy', unitAmount: 1600 });
    expect((await t.admin.admin.products.query()).find((p) => p.sku === sku)).toMatchObject({
      unitAmount: 1600,
      currency: 'jpy',
    });
  });

  it('refuses a currency change that leaves a price Stripe does not take', async () => {
    const sku = await listSigned({ unitAmount: 1005 });
    const events = (await productEvents(sku)).length;
    await expect(
      t.admin.admin.updateProduct.mutate({ sku, currency: 'kwd', unitAmount: 1005 }),
    ).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
      message: expect.stringContaining('a multiple of 10'),
    });
    expect((await productEvents(sku)).length).toBe(events);
  });
});

describe('admin and analytics input errors', () => {
  it('say in one line which field is wrong, and list every issue in data', async () => {
    const missing = 'Invalid input: expected string, received undefined';
    await expect(
      // @ts-expect-error: the reason is left out on purpose.
      t.admin.admin.adjustStock.mutate({ sku: 'PELE-1958', delta: 1 }),
    ).rejects.toMatchObject({
      message: `Invalid input: reason: ${missing}`,
      data: { code: 'BAD_REQUEST', issues: [{ path: 'reason', message: missing }] },
    });
    await expect(t.admin.analytics.orders.query({ page: 0, pageSize: 0 })).rejects.toMatchObject({
      message: expect.stringMatching(/^Invalid input: page: .+; pageSize: .+$/),
      data: { code: 'BAD_REQUEST', issues: [{ path: 'page' }, { path: 'pageSize' }] },
    });
  });

  it('take no input to analytics.orders as all orders, first page', async () => {
    await expect(t.admin.analytics.orders.query()).resolves.toMatchObject({ page: 1 });
  });
});

describe('products a shopper could not be shown or sold', () => {
  it.each([
    ['an image that is no URL', { image: 'http://' }, /an http\(s\) URL or a path/],
    ['a script as image', { image: 'javascript:alert(1)' }, /image/],
    ['a currency that does not exist', { currency: 'xyz' }, /ISO 4217/],
    ["the IMF's drawing right, which no one pays in", { currency: 'xdr' }, /payments are made in/],
    ['a precious metal', { currency: 'xau' }, /payments are made in/],
  ])('are refused: %s', async (_, change, message) => {
    const events = (await t.app.services.store.readAll()).length;
    const product = { sku: 'ODD-1', name: 'Odd', unitAmount: 1000, currency: 'eur', stock: 5 };
    await expect(t.admin.admin.listProduct.mutate({ ...product, ...change })).rejects.toMatchObject(
      { data: { code: 'BAD_REQUEST' }, message: expect.stringMatching(message) },
    );
    expect((await t.app.services.store.readAll()).length).toBe(events);
  });
});

describe('with ADMIN_TOKEN unset', () => {
  it('admin and analytics are off', async () => {
    const off = await startTestApp({ env: { ADMIN_TOKEN: undefined } });
    try {
      await expect(off.admin.admin.products.query()).rejects.toMatchObject({
        data: { code: 'FORBIDDEN' },
      });
    } finally {
      await off.close();
    }
  });
});

describe('a restart with the same catalog file', () => {
  const catalog = [
    ...testCatalog,
    { ...catalogEntry('OWNER-REPRICED', 5), description: 'as the file says' },
    catalogEntry('OWNER-DELISTED', 5),
  ];
  let first: TestApp | undefined;
  let second: TestApp | undefined;
  afterAll(async () => {
    await second?.close();
    await first?.app.close();
  });

  it("keeps the site owner's price and delisting", async () => {
    first = await startTestApp({ catalog });
    await first.admin.admin.updateProduct.mutate({ sku: 'OWNER-REPRICED', unitAmount: 2500 });
    await first.admin.admin.delistProduct.mutate({ sku: 'OWNER-DELISTED' });
    const { dataDir, sandbox } = first;
    await first.app.close();

    second = await startTestApp({ catalog, dataDir, sharedSandbox: sandbox });
    const listed = await second.client.catalog.list.query();
    expect(listed.find((p) => p.sku === 'OWNER-REPRICED')).toMatchObject({
      unitAmount: 2500,
      description: 'as the file says',
    });
    expect(listed.map((p) => p.sku)).not.toContain('OWNER-DELISTED');
    await expect(checkout(second, [{ sku: 'OWNER-DELISTED', quantity: 1 }])).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST' },
    });
  });
});
