/**
 * The filters as the fragment of the page's URL (`#range=7&status=paid`), so a reload, a
 * shared link or Back shows what the analyst chose. The fragment, not the query: it never
 * reaches the server, so a shopper's email typed as a filter stays out of its logs.
 */
import type { OrderStatus } from './api';
import { isDay } from './days';
import { statusLabel } from './orders';

const PRESETS = ['7', '30', 'all'] as const;
export type Preset = (typeof PRESETS)[number];

/** What the analyst chose: a preset is kept as such, to be counted from the day it is read. */
export interface FilterChoice {
  preset?: Preset | undefined;
  from?: string | undefined;
  to?: string | undefined;
  status?: OrderStatus | undefined;
  email?: string | undefined;
}

/** The longest email filter the API accepts. */
const EMAIL_MAX = 200;

export const isPreset = (value: string | undefined): value is Preset =>
  PRESETS.some((preset) => preset === value);

// Own keys only: `status=constructor` must not pass for a status.
export const isStatus = (value: string): value is OrderStatus => Object.hasOwn(statusLabel, value);

/** The fragment for `choice` ('' for the defaults); the dates are left out while a preset holds. */
export function filterFragment({ preset, from, to, status, email }: FilterChoice): string {
  const params = new URLSearchParams();
  const put = (key: string, value: string | undefined) => {
    if (value) params.set(key, value);
  };
  if (preset) put('range', preset);
  else {
    put('from', from);
    put('to', to);
  }
  put('status', status);
  put('email', email);
  const text = params.toString();
  return text ? `#${text}` : '';
}

/**
 * The choice a fragment (`location.hash`) names. Anything else is dropped, the defaults
 * standing in: an unknown preset or status, a day that is not one, a reversed range, an email
 * the API would refuse. Unknown keys (a token pasted into a link) are never read.
 */
export function choiceFromFragment(fragment: string): FilterChoice {
  const params = new URLSearchParams(fragment.replace(/^#/, ''));
  const text = (key: string) => params.get(key) ?? '';
  const day = (key: string) => (isDay(text(key)) ? text(key) : undefined);
  const preset = text('range');
  const status = text('status');
  const email = text('email').trim();
  const from = day('from');
  const to = day('to');
  const dates = from && to && from > to ? {} : { from, to };
  return {
    ...(isPreset(preset) ? { preset } : dates),
    status: isStatus(status) ? status : undefined,
    email: email && email.length <= EMAIL_MAX ? email : undefined,
  };
}
