/** The filter controls: native inputs, so keyboards and screen readers work as usual. */
import type { Filters, OrderStatus } from './api';
import { addDays, dayOf } from './days';
import { statusLabel } from './orders';

const input = (id: string) => document.getElementById(id) as HTMLInputElement;

const isStatus = (value: string): value is OrderStatus => value in statusLabel;

/**
 * The preset last chosen ("7", "30", "all") while the dates are still its own: applied again
 * at every read, so "Last 7 days" still ends today once the UTC day has turned.
 */
let activePreset: string | undefined;

function choosePreset(days: string | undefined): void {
  activePreset = days;
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-days]')) {
    button.setAttribute('aria-pressed', String(button.dataset.days === days));
  }
}

/** The filters as the controls show them, or a sentence saying what to fix. */
export function readFilters(page: number): Filters | string {
  if (activePreset) applyPreset(activePreset);
  const from = input('from').value || undefined;
  const to = input('to').value || undefined;
  if (from && to && from > to) return '"From" must be on or before "To".';
  const status = (document.getElementById('status') as HTMLSelectElement).value;
  const email = input('email').value.trim();
  return {
    from,
    to,
    status: isStatus(status) ? status : undefined,
    email: email || undefined,
    page,
  };
}

/** "Last n days" ends today (UTC), as the read models count days. */
function applyPreset(days: string, now = new Date()): void {
  const today = dayOf(now);
  input('from').value = days === 'all' ? '' : addDays(today, -(Number(days) - 1));
  input('to').value = days === 'all' ? '' : today;
}

/** Calls `onChange` for every edit of the filters; typing in the email box waits a beat. */
export function watchFilters(onChange: () => void, signal: AbortSignal): void {
  for (const id of ['from', 'to']) {
    const edited = () => {
      choosePreset(undefined);
      onChange();
    };
    document.getElementById(id)!.addEventListener('change', edited, { signal });
  }
  document.getElementById('status')!.addEventListener('change', onChange, { signal });
  let typing: ReturnType<typeof setTimeout> | undefined;
  input('email').addEventListener(
    'input',
    () => {
      clearTimeout(typing);
      typing = setTimeout(onChange, 300);
    },
    { signal },
  );
  for (const form of document.querySelectorAll<HTMLFormElement>('form.filters')) {
    form.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        onChange();
      },
      { signal },
    );
  }
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-days]')) {
    button.addEventListener(
      'click',
      () => {
        choosePreset(button.dataset.days);
        onChange();
      },
      { signal },
    );
  }
}
