import { describe, expect, it } from 'vitest';
import { AfterReply } from '../server/after-reply';

const deferred = () => {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

describe('AfterReply', () => {
  it('settles only once the work started before has ended, failed work included', async () => {
    const after = new AfterReply();
    const errors: unknown[] = [];
    const first = deferred();
    const second = deferred();
    after.run(
      () => first.promise,
      (error) => errors.push(error),
    );
    after.run(
      () => second.promise,
      (error) => errors.push(error),
    );
    let settled = false;
    const waiting = after.settled().then(() => {
      settled = true;
    });
    first.resolve();
    await Promise.resolve();
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    second.reject(new Error('release failed'));
    await waiting;
    expect(settled).toBe(true);
    expect(errors).toEqual([new Error('release failed')]);
  });
});
