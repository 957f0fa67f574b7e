/** Given/when/then for deciders: given these events, when this command, then these events (or this error). */
import { expect } from 'vitest';
import type { Decider } from '../../server/domain/decider';
import { DomainError } from '../../server/domain/decider';
import type { DomainEvent } from '../../server/domain/events';

export function spec<S, C, E extends DomainEvent>(decider: Decider<S, C, E>) {
  return (...given: E[]) => ({
    when: (command: C) => {
      const run = () =>
        decider.decide(command, given.reduce(decider.evolve, decider.initialState()));
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then reads as the specification; never awaited.
        then: (...expected: E[]) => expect(run()).toEqual(expected),
        thenNothing: () => expect(run()).toEqual([]),
        thenRefused: (code: string) => {
          let thrown: unknown;
          try {
            run();
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toBeInstanceOf(DomainError);
          expect((thrown as DomainError).code).toBe(code);
        },
      };
    },
  });
}
