/**
 * The analytics page: asks for the admin token, proves it with a first load, then hands
 * over to the live dashboard. A refused token sends the page back to the form with why.
 */
import { createAnalyticsApi } from './api';
import { startDashboard } from './dashboard';
import { readFilters, restoreFiltersFromUrl } from './filters';
import { type Problem, problemOf } from './problems';
import { forgetToken, storedToken, storeToken } from './token';

const element = (id: string) => document.getElementById(id)!;
const tokenInput = element('token') as HTMLInputElement;
const tokenError = element('token-error');
const submit = element('token-form').querySelector('button')!;

let running: { stop(): void } | undefined;

function showSignIn(problem?: Problem): void {
  running?.stop();
  running = undefined;
  element('dashboard').hidden = true;
  element('session-bar').hidden = true;
  element('sign-in').hidden = false;
  tokenError.textContent = problem?.message ?? '';
  tokenInput.setAttribute('aria-invalid', String(problem !== undefined));
  tokenInput.focus();
}

async function signIn(token: string, fromForm = false): Promise<void> {
  submit.disabled = true;
  tokenError.textContent = '';
  const api = createAnalyticsApi(token);
  try {
    // The filters the URL names: those of a reload or a shared link, or those the controls
    // still show (signed in again after a refused token, say), which the URL follows.
    restoreFiltersFromUrl();
    const filters = readFilters(1);
    const first = await api.load(typeof filters === 'string' ? { page: 1 } : filters);
    storeToken(token);
    // Focus was in the form now hidden: it moves to the dashboard's first control.
    element('sign-in').hidden = true;
    element('dashboard').hidden = false;
    element('session-bar').hidden = false;
    if (fromForm) element('from').focus();
    running = startDashboard(api, first, {
      onRefused: (problem) => {
        forgetToken();
        showSignIn(problem);
      },
    });
  } catch (error) {
    const problem = problemOf(error);
    if (problem.kind === 'unauthorized' || problem.kind === 'forbidden') forgetToken();
    showSignIn(problem);
  } finally {
    submit.disabled = false;
  }
}

element('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = tokenInput.value.trim();
  if (!token) {
    showSignIn({ kind: 'other', message: 'Enter the admin token.' });
    return;
  }
  // A header cannot carry them, so the browser would refuse the request as if offline.
  if (/[^\x20-\x7e\xa0-\xff]/.test(token)) {
    showSignIn({
      kind: 'other',
      message:
        'The token has a character no token has (a typographic quote, or an invisible one from a copy): paste it again from where the server is configured.',
    });
    return;
  }
  void signIn(token, true);
});

element('sign-out').addEventListener('click', () => {
  forgetToken();
  tokenInput.value = '';
  showSignIn();
});

submit.disabled = false;
const saved = storedToken();
if (saved) void signIn(saved);
else showSignIn();
