/** Keyboard focus inside shadow roots, where document.activeElement stops at the host. */

const FOCUSABLE =
  'button:not([disabled]), input:not([disabled]), a[href], select, textarea, [tabindex]:not([tabindex="-1"])';

export function deepActiveElement(root: Document | ShadowRoot = document): Element | null {
  const active = root.activeElement;
  return active?.shadowRoot ? (deepActiveElement(active.shadowRoot) ?? active) : active;
}

/** Keeps Tab and Shift+Tab cycling inside `container` (a modal dialog's contents). */
export function trapTab(event: KeyboardEvent, container: HTMLElement, root: ShadowRoot): void {
  if (event.key !== 'Tab') return;
  const focusable = [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => el.offsetParent !== null || el === root.activeElement,
  );
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (!first || !last) return;
  const active = root.activeElement;
  // Focus off the cycle (on the title, where opening and Remove put it, or outside) wraps
  // too: the browser would take Shift+Tab from the title out of the dialog.
  const off = !focusable.includes(active as HTMLElement);
  if (event.shiftKey && (active === first || off)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || off)) {
    event.preventDefault();
    first.focus();
  }
}
