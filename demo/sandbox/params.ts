import { invalidRequest } from './errors';
import type { FormNode, FormRecord } from './forms';

/**
 * A small schema language for Stripe's form parameters, enough to refuse unknown, missing
 * and mistyped parameters with the same codes, params and messages Stripe uses.
 */
export type ParamSpec =
  | { type: 'string'; required?: boolean; maxLength?: number; enum?: readonly string[] }
  | { type: 'integer'; required?: boolean; min?: number; max?: number }
  | { type: 'object'; required?: boolean; properties: Readonly<Record<string, ParamSpec>> }
  | { type: 'map'; required?: boolean; values: ParamSpec }
  | { type: 'array'; required?: boolean; items: ParamSpec; maxItems?: number };

export type ParamValue = string | number | ParamValue[] | { [key: string]: ParamValue };

export function validateParams(
  form: FormRecord,
  properties: Readonly<Record<string, ParamSpec>>,
): Record<string, ParamValue> {
  return validateObject(form, properties, '');
}

const childPath = (parent: string, key: string) => (parent ? `${parent}[${key}]` : key);

function validateObject(
  node: FormRecord,
  properties: Readonly<Record<string, ParamSpec>>,
  path: string,
): Record<string, ParamValue> {
  for (const key of Object.keys(node)) {
    if (!Object.hasOwn(properties, key)) {
      const param = childPath(path, key);
      throw invalidRequest(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
    }
  }
  const result: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(properties)) {
    const param = childPath(path, key);
    const value = node[key];
    if (value === undefined) {
      if (spec.required) {
        throw invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
      }
      continue;
    }
    result[key] = validateValue(value, spec, param);
  }
  return result;
}

function validateValue(node: FormNode, spec: ParamSpec, param: string): ParamValue {
  switch (spec.type) {
    case 'string':
      return validateString(scalar(node, param, 'string'), spec, param);
    case 'integer':
      return validateInteger(scalar(node, param, 'integer'), spec, param);
    case 'object':
      return validateObject(record(node, param, 'object'), spec.properties, param);
    case 'map': {
      const entries = Object.entries(record(node, param, 'hash'));
      return Object.fromEntries(
        entries.map(([key, value]) => [key, validateValue(value, spec.values, `${param}[${key}]`)]),
      );
    }
    case 'array':
      return validateArray(record(node, param, 'array'), spec, param);
    default: {
      const exhaustive: never = spec;
      return exhaustive;
    }
  }
}

function scalar(node: FormNode, param: string, kind: string): string {
  if (typeof node !== 'string') throw invalidRequest(`Invalid ${kind}: ${param}`, param);
  if (node === '') {
    throw invalidRequest(
      `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
      param,
      'parameter_invalid_empty',
    );
  }
  return node;
}

function record(node: FormNode, param: string, kind: string): FormRecord {
  if (typeof node === 'string') throw invalidRequest(`Invalid ${kind}`, param);
  return node;
}

function validateString(
  value: string,
  spec: Extract<ParamSpec, { type: 'string' }>,
  param: string,
): string {
  if (spec.enum && !spec.enum.includes(value)) {
    throw invalidRequest(`Invalid ${param}: must be one of ${listWithOr(spec.enum)}`, param);
  }
  if (spec.maxLength !== undefined && value.length > spec.maxLength) {
    throw invalidRequest(
      `Invalid string: ${value.slice(0, 20)}...; must be at most ${spec.maxLength} characters`,
      param,
    );
  }
  return value;
}

function validateInteger(
  value: string,
  spec: Extract<ParamSpec, { type: 'integer' }>,
  param: string,
): number {
  const number = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(number)) {
    throw invalidRequest(`Invalid integer: ${value}`, param, 'parameter_invalid_integer');
  }
  if (spec.min !== undefined && number < spec.min) {
    throw invalidRequest(`This value must be greater than or equal to ${spec.min}.`, param);
  }
  if (spec.max !== undefined && number > spec.max) {
    throw invalidRequest(`This value must be less than or equal to ${spec.max}.`, param);
  }
  return number;
}

function validateArray(
  node: FormRecord,
  spec: Extract<ParamSpec, { type: 'array' }>,
  param: string,
): ParamValue[] {
  const keys = Object.keys(node);
  if (keys.some((key) => !/^\d+$/.test(key))) throw invalidRequest('Invalid array', param);
  if (spec.maxItems !== undefined && keys.length > spec.maxItems) {
    throw invalidRequest(
      `${param} can have at most ${spec.maxItems} items, but you passed ${keys.length}.`,
      param,
    );
  }
  return keys
    .sort((a, b) => Number(a) - Number(b))
    .map((key) => validateValue(node[key]!, spec.items, `${param}[${key}]`));
}

function listWithOr(values: readonly string[]): string {
  if (values.length < 2) return values.join('');
  return `${values.slice(0, -1).join(', ')}, or ${values.at(-1)}`;
}
