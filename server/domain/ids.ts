/**
 * Deterministic ids. The same input always yields the same UUID, which is what lets a
 * retried command or a redelivered Stripe event append the same event id again and be
 * recognised by the store as already written.
 */
import { v5 as uuidv5 } from 'uuid';

const NAMESPACE = 'a3f1c7e2-5b8d-4c6a-9e0f-2d7b4a1c8e53';

export const deterministicId = (...parts: string[]) => uuidv5(parts.join('\u0000'), NAMESPACE);

/** Order ids derive from the widget's checkoutId, so a double click lands on one order. */
export const orderIdFor = (checkoutId: string) => deterministicId('order', checkoutId);
