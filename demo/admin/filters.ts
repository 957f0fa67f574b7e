/** The filter controls: native inputs, so keyboards and screen readers work as usual. */
import type { Filters } from './api';
import { addDays, dayOf } from './days';
import {
  choiceFromFragment,
  type FilterChoice,
  filterFragment,
  isPreset,
  isStatus,
  type Preset,
} from './filter-url';

const input = (id: string) => document.getElementById(id) as HTMLInputElement;
const statusSelect = () => document.getElementById('status') as HTMLSelectElement;

/**
 * The preset last chosen while the dates are still its own: applied again at every read, so
 * "Last 7 days" still ends today once the UTC day has turned.
 */
let activePreset: Preset | undefined;

function choosePreset(days: Preset | undefined): void {
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
  const status = statusSelect().value;
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
function applyPreset(days: Preset, now = new Date()): void {
  const today = dayOf(now);
  input('from').value = days === 'all' ? '' : addDays(today, -(Number(days) - 1));
  input('to').value = days === 'all' ? '' : today;
}

/** What the analyst chose, a preset as a preset rather than the dates it gives today. */
function currentChoice(): FilterChoice {
  const status = statusSelect().value;
  return {
    preset: activePreset,
    from: input('from').value,
    to: input('to').value,
    status: isStatus(status) ? status : undefined,
    email: input('email').value.trim(),
  };
}

/** Writes the choice into the URL, replacing the entry so Back leaves the page, not an edit. */
function keepFiltersInUrl(): void {
  const fragment = filterFragment(currentChoice());
  if (fragment === location.hash) return;
  history.replaceState(history.state, '', `${location.pathname}${location.search}${fragment}`);
}

/**
 * Sets the controls to what the URL names (the defaults for anything it does not, or names
 * wrongly), then rewrites the URL to say just that: whatever else a pasted link held is gone.
 */
export function restoreFiltersFromUrl(): void {
  const choice = choiceFromFragment(location.hash);
  choosePreset(choice.preset);
  input('from').value = choice.from ?? '';
  input('to').value = choice.to ?? '';
  statusSelect().value = choice.status ?? '';
  input('email').value = choice.email ?? '';
  keepFiltersInUrl();
}

/**
 * Calls `onChange` for every edit of the filters, each kept in the URL first; typing in the
 * email box waits a beat. A link pasted into the address bar of this tab counts as an edit.
 */
export function watchFilters(onChange: () => void, signal: AbortSignal): void {
  const changed = () => {
    keepFiltersInUrl();
    onChange();
  };
  for (const id of ['from', 'to']) {
    const edited = () => {
      choosePreset(undefined);
      changed();
    };
    document.getElementById(id)!.addEventListener('change', edited, { signal });
  }
  statusSelect().addEventListener('change', changed, { signal });
  let typing: ReturnType<typeof setTimeout> | undefined;
  // Signed out within the beat: the load it would start must not go out with the old token.
  signal.addEventListener('abort', () => clearTimeout(typing));
  input('email').addEventListener(
    'input',
    () => {
      clearTimeout(typing);
      typing = setTimeout(changed, 300);
    },
    { signal },
  );
  for (const form of document.querySelectorAll<HTMLFormElement>('form.filters')) {
    form.addEventListener(
      'submit',
      (event) => {
        event.preventDefault();
        changed();
      },
      { signal },
    );
  }
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-days]')) {
    button.addEventListener(
      'click',
      () => {
        choosePreset(isPreset(button.dataset.days) ? button.dataset.days : undefined);
        changed();
      },
      { signal },
    );
  }
  const followUrl = () => {
    restoreFiltersFromUrl();
    onChange();
  };
  window.addEventListener('hashchange', followUrl, { signal });
  // A link opened while the sign-in was loading, before anything listened: applied now.
  if (location.hash !== filterFragment(currentChoice())) followUrl();
}
