/** Everything a refused request could have changed: the event log and the stock. */
import type { TestApp } from '../../support/app';

export interface Footprint {
  events: number;
  stock: string[];
}

export async function footprint(t: TestApp): Promise<Footprint> {
  const events = (await t.app.services.store.readAll()).length;
  const stock = (await t.client.catalog.list.query()).map((p) => `${p.sku}:${p.available}`);
  return { events, stock };
}

/** Why the footprint moved, or undefined when it did not. */
export function moved(before: Footprint, after: Footprint): string | undefined {
  return JSON.stringify(before) === JSON.stringify(after)
    ? undefined
    : `footprint moved from ${JSON.stringify(before)} to ${JSON.stringify(after)}`;
}

/** Object.prototype's own keys, to prove no request polluted it in this process. */
export const prototypeKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
