import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where Stripe's fixtures and OpenAPI spec live: ../shared/stripe next to the repository. */
export const DEFAULT_STRIPE_DATA_DIR = fileURLToPath(
  new URL('../../../shared/stripe/', import.meta.url),
);

export type JsonObject = Record<string, unknown>;

export interface ObjectTemplates {
  session: JsonObject;
  event: JsonObject;
  charge: JsonObject;
  refund: JsonObject;
  dispute: DisputeTemplate;
}

/** A dispute's keys, and those of its two nested objects that start out empty. */
export interface DisputeTemplate {
  object: JsonObject;
  evidence: JsonObject;
  evidenceDetails: JsonObject;
}

/**
 * Reads the `checkout.session`, `event`, `charge`, `refund` and `dispute` objects from Stripe's
 * fixtures3.json and keeps their keys only: the values there are placeholders, so every one is
 * blanked (lists to [], the rest to null) and the sandbox fills in what it knows. Without the
 * file the objects carry the sandbox's own fields only.
 */
export function loadTemplates(dir: string): ObjectTemplates | null {
  const file = join(dir, 'fixtures3.json');
  if (!existsSync(file)) return null;
  const fixtures = JSON.parse(readFileSync(file, 'utf8')) as {
    resources?: Record<string, JsonObject>;
  };
  const session = fixtures.resources?.['checkout.session'];
  const event = fixtures.resources?.event;
  const charge = fixtures.resources?.charge;
  const refund = fixtures.resources?.refund;
  const dispute = fixtures.resources?.dispute;
  if (!session || !event || !charge || !refund || !dispute) return null;
  return {
    session: blank(session),
    event: blank(event),
    charge: blank(charge),
    refund: blank(refund),
    dispute: {
      object: blank(dispute),
      evidence: blank(dispute.evidence, true),
      evidenceDetails: blank(dispute.evidence_details, true),
    },
  };
}

/**
 * Nested objects become null, being placeholders too, except with `emptyObjects`: a
 * dispute's evidence groups (enhanced_evidence) are sent empty, never null.
 */
function blank(object: unknown, emptyObjects = false): JsonObject {
  if (typeof object !== 'object' || object === null) return {};
  const empty = (value: unknown) =>
    Array.isArray(value) ? [] : emptyObjects && typeof value === 'object' && value ? {} : null;
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, empty(value)]));
}
