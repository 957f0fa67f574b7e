/**
 * Emmett-style decider: the whole of a stream's business rules, with no I/O.
 * `decide` returns the new events (possibly none) or throws a DomainError.
 */
import type { DomainEvent } from './events';

export interface Decider<State, Command, Event extends DomainEvent> {
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): Event[];
}

/** A refusal the caller can act on (bad cart, nothing to release, wrong session...). */
export class DomainError<Code extends string = string, Details = unknown> extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: Code,
    message: string,
    readonly details?: Details,
  ) {
    super(message);
  }
}
