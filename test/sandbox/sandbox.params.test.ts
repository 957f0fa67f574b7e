import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CHECKOUT_SESSION_CREATE_PARAMS,
  CHECKOUT_SESSION_LIST_PARAMS,
  PARAMS_NEWER_THAN_SPEC,
} from '../../demo/sandbox/checkoutParams';
import { DISPUTE_LIST_PARAMS, DISPUTE_REASONS } from '../../demo/sandbox/disputeParams';
import { DEFAULT_STRIPE_DATA_DIR } from '../../demo/sandbox/fixtures';
import type { ParamSpec } from '../../demo/sandbox/params';
import { REFUND_CREATE_PARAMS, REFUND_LIST_PARAMS } from '../../demo/sandbox/refundParams';

interface OpenApiSchema {
  type?: string;
  enum?: string[];
  maxLength?: number;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  anyOf?: OpenApiSchema[];
}

const spec = JSON.parse(readFileSync(`${DEFAULT_STRIPE_DATA_DIR}/spec3-2020-08-27.json`, 'utf8'));
const formSchema = (path: string): OpenApiSchema =>
  spec.paths[path].post.requestBody.content['application/x-www-form-urlencoded'].schema;
const createSchema = formSchema('/v1/checkout/sessions');

/** A GET's query parameters, gathered into one object schema like a POST's form. */
function querySchema(path: string): OpenApiSchema {
  const parameters: { name: string; in: string; schema: OpenApiSchema }[] =
    spec.paths[path].get.parameters;
  return {
    type: 'object',
    properties: Object.fromEntries(
      parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema]),
    ),
  };
}

const OPENAPI_TYPE: Record<ParamSpec['type'], string> = {
  string: 'string',
  integer: 'integer',
  object: 'object',
  map: 'object',
  array: 'array',
};

/** Stripe's spec wraps many parameters in anyOf (value or '' to unset): pick the variant of our type. */
function variant(schema: OpenApiSchema, type: string): OpenApiSchema | undefined {
  if (schema.type === type) return schema;
  return schema.anyOf?.find((option) => option.type === type);
}

function compare(ours: ParamSpec, theirs: OpenApiSchema, path: string, problems: string[]): void {
  const match = variant(theirs, OPENAPI_TYPE[ours.type]);
  if (!match) {
    problems.push(
      `${path}: sandbox says ${ours.type}, Stripe says ${JSON.stringify(theirs).slice(0, 80)}`,
    );
    return;
  }
  if (ours.type === 'string' && ours.enum && match.enum) {
    for (const value of ours.enum) {
      if (!match.enum.includes(value)) problems.push(`${path}: Stripe has no value ${value}`);
    }
  }
  if (
    ours.type === 'string' &&
    match.maxLength !== undefined &&
    (ours.maxLength ?? Infinity) > match.maxLength
  ) {
    problems.push(`${path}: Stripe caps it at ${match.maxLength} characters`);
  }
  if (ours.type === 'object') compareProperties(ours.properties, match, path, problems);
  if (ours.type === 'map' && typeof match.additionalProperties === 'object') {
    compare(ours.values, match.additionalProperties, `${path}[key]`, problems);
  }
  if (ours.type === 'array' && match.items)
    compare(ours.items, match.items, `${path}[0]`, problems);
}

function compareProperties(
  properties: Readonly<Record<string, ParamSpec>>,
  theirs: OpenApiSchema,
  path: string,
  problems: string[],
): void {
  for (const [name, ours] of Object.entries(properties)) {
    const param = path ? `${path}[${name}]` : name;
    const counterpart = theirs.properties?.[name];
    if (!counterpart) {
      if (!PARAMS_NEWER_THAN_SPEC.includes(param)) problems.push(`${param}: not in Stripe's spec`);
      continue;
    }
    compare(ours, counterpart, param, problems);
  }
}

describe("the sandbox's parameters against Stripe's OpenAPI spec", () => {
  it('every accepted checkout parameter exists in Stripe with the same type, values and length limit', () => {
    const problems: string[] = [];
    compareProperties(CHECKOUT_SESSION_CREATE_PARAMS, createSchema, '', problems);
    expect(problems).toEqual([]);
  });

  it('so do the parameters of GET /v1/checkout/sessions (the list), POST /v1/refunds, GET /v1/refunds and GET /v1/disputes', () => {
    const problems: string[] = [];
    compareProperties(
      CHECKOUT_SESSION_LIST_PARAMS,
      querySchema('/v1/checkout/sessions'),
      '',
      problems,
    );
    compareProperties(REFUND_CREATE_PARAMS, formSchema('/v1/refunds'), '', problems);
    compareProperties(REFUND_LIST_PARAMS, querySchema('/v1/refunds'), '', problems);
    compareProperties(DISPUTE_LIST_PARAMS, querySchema('/v1/disputes'), '', problems);
    expect(problems).toEqual([]);
  });

  it("a dispute's reasons are exactly those Stripe's spec names (in prose: the field is a string)", () => {
    const description: string = spec.components.schemas.dispute.properties.reason.description;
    const named = description.split('Read more')[0]!.match(/`[a-z_]+`/g)!;
    expect(named.map((quoted) => quoted.slice(1, -1)).sort()).toEqual([...DISPUTE_REASONS].sort());
  });

  it('the comparison catches a made-up parameter (so the check above means something)', () => {
    const problems: string[] = [];
    compareProperties(
      { colour: { type: 'string' }, expires_at: { type: 'string' } },
      createSchema,
      '',
      problems,
    );
    expect(problems).toHaveLength(2);
  });
});
