import { css } from 'lit';

/**
 * Every colour and size a site may want to change is a custom property with a default, and
 * nothing is painted in a fixed colour: notes and placeholders take the theme's colours (a
 * dark theme's text stays readable), and the fields' outlines, their only boundary, take the
 * muted text colour, which keeps 3:1 against the background where the light border does not.
 * What only its fill sets apart (the pay and add buttons, the panel) has a transparent
 * outline: forced colours (Windows High Contrast) turn every fill to one colour, but paint it.
 * (No comments inside the css`` templates: they would ship in the bundle.)
 */
export const cartStyles = css`
  :host {
    --_accent: var(--stripe-cart-accent, #635bff);
    --_accent-text: var(--stripe-cart-accent-text, #fff);
    --_bg: var(--stripe-cart-background, #fff);
    --_text: var(--stripe-cart-text, #1f2330);
    --_muted: var(--stripe-cart-muted, #5b6170);
    --_border: var(--stripe-cart-border, #e3e5ea);
    --_danger: var(--stripe-cart-danger, #b42318);
    --_success: var(--stripe-cart-success, #067647);
    --_radius: var(--stripe-cart-radius, 10px);
    --_focus: var(--stripe-cart-focus-ring, var(--_accent));
    display: inline-block;
    font-family: var(--stripe-cart-font, inherit);
    color: var(--_text);
  }
  [hidden], :host([hidden]) .trigger { display: none !important; }
  button, input { font: inherit; color: inherit; }
  dialog, .pay, .primary { outline: 1px solid transparent; }
  :focus-visible { outline: 3px solid var(--_focus); outline-offset: 2px; }
  .sr {
    position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap;
  }
  .trigger {
    position: relative; display: inline-flex; align-items: center; gap: .5em;
    padding: .55em .9em; border: 1px solid var(--_border); border-radius: 999px;
    background: var(--stripe-cart-button-background, var(--_bg)); cursor: pointer;
  }
  .trigger svg { width: 1.3em; height: 1.3em; }
  .badge {
    min-width: 1.4em; padding: 0 .35em; border-radius: 999px; text-align: center;
    background: var(--_accent); color: var(--_accent-text); font-size: .8em; line-height: 1.5em;
    font-variant-numeric: tabular-nums;
  }
  :host(:dir(rtl)) { --_end: -1; }
  dialog {
    box-sizing: border-box; margin: 0; margin-inline-start: auto; padding: 0; border: 0;
    width: min(var(--stripe-cart-width, 420px), 100vw); height: 100%; max-height: 100%; max-width: 100%;
    background: var(--_bg); color: var(--_text);
    box-shadow: calc(-8px * var(--_end, 1)) 0 32px rgb(0 0 0 / .18);
  }
  dialog[open] { animation: slide-in .2s ease-out; }
  dialog::backdrop { background: var(--stripe-cart-backdrop, rgb(15 18 30 / .45)); }
  @keyframes slide-in { from { transform: translateX(calc(100% * var(--_end, 1))); } }
  @media (prefers-reduced-motion: reduce) { dialog[open] { animation: none; } }
  .panel { display: flex; flex-direction: column; height: 100%; }
  header {
    display: flex; align-items: center; justify-content: space-between;
    padding: 1rem 1.25rem; border-bottom: 1px solid var(--_border);
  }
  h2 { margin: 0; font-size: 1.2rem; }
  h2:focus { outline: none; }
  .close {
    border: 0; background: none; font-size: 1.6rem; line-height: 1; padding: .2em .4em;
    cursor: pointer; border-radius: var(--_radius);
  }
  .body { flex: 1; overflow-y: auto; padding: .5rem 1.25rem; }
  .note { margin: .75rem 0; padding: .6rem .8rem; border-radius: var(--_radius); border: 1px solid var(--_border); }
  .alert { color: var(--_danger); border-color: currentColor; }
  .empty { color: var(--_muted); text-align: center; margin: 3rem 0; }
  ul { list-style: none; margin: 0; padding: 0; }
  .line {
    display: grid; grid-template-columns: 64px minmax(0, 1fr) auto; gap: .35rem .9rem;
    padding: .9rem 0; border-bottom: 1px solid var(--_border);
  }
  .line img, .line .ph {
    grid-row: span 2; width: 64px; height: 64px; border-radius: var(--_radius); object-fit: cover;
    background: var(--_border);
  }
  .name { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
  .each, .muted { margin: .1rem 0 0; color: var(--_muted); font-size: .9em; }
  .amount { margin: 0; font-weight: 600; text-align: end; font-variant-numeric: tabular-nums; }
  .controls {
    grid-column: 2 / 4; display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between;
  }
  .stepper { display: inline-flex; border: 1px solid var(--_muted); border-radius: var(--_radius); }
  .stepper button {
    width: 2.2em; border: 0; background: none; cursor: pointer; font-size: 1.05em;
  }
  .stepper button[aria-disabled='true'] { opacity: .4; cursor: default; }
  .stepper input {
    width: 2.6em; border: 0; text-align: center; -moz-appearance: textfield; background: none;
  }
  .stepper input::-webkit-inner-spin-button { -webkit-appearance: none; }
  .remove { border: 0; background: none; color: var(--_muted); text-decoration: underline; cursor: pointer; }
  .issue {
    grid-column: 2 / 4; margin: 0; color: var(--_danger); font-size: .92em;
    display: flex; flex-wrap: wrap; align-items: center; gap: .5em;
  }
  .fix {
    border: 1px solid currentColor; border-radius: 999px; background: none; color: inherit;
    padding: .15em .7em; cursor: pointer;
  }
  footer { padding: 1rem 1.25rem 1.25rem; border-top: 1px solid var(--_border); }
  .row { display: flex; justify-content: space-between; margin: 0 0 .8rem; font-weight: 600; }
  label { display: block; font-size: .9em; margin-bottom: .3rem; }
  input[type='email'] {
    box-sizing: border-box; width: 100%; padding: .6em .7em; border: 1px solid var(--_muted);
    border-radius: var(--_radius); background: var(--_bg);
  }
  input[aria-invalid='true'] { border-color: var(--_danger); }
  .field-error { color: var(--_danger); font-size: .88em; margin: .3rem 0 0; }
  .pay, .primary {
    width: 100%; margin-top: .9rem; padding: .8em 1em; border: 0; border-radius: var(--_radius);
    background: var(--_accent); color: var(--_accent-text); font-weight: 600; cursor: pointer;
  }
  .pay[aria-disabled='true'] { opacity: .6; cursor: progress; }
  .status { display: flex; align-items: center; gap: .5em; font-size: 1.15rem; font-weight: 700; }
  .status.paid { color: var(--_success); }
  .status.bad { color: var(--_danger); }
  .order li { display: flex; justify-content: space-between; padding: .4rem 0; }
  @media (max-height: 30em) { .panel { height: auto; } .body { overflow: visible; } }
`;

export const addStyles = css`
  :host { display: inline-block; }
  :host([hidden]), [hidden] { display: none !important; }
  button {
    font: inherit; display: inline-flex; align-items: center; gap: .6em; cursor: pointer;
    padding: .6em 1.1em; border: 0; border-radius: var(--stripe-cart-radius, 10px);
    background: var(--stripe-cart-accent, #635bff); color: var(--stripe-cart-accent-text, #fff);
    font-weight: 600; outline: 1px solid transparent;
  }
  button[disabled] { opacity: .55; cursor: not-allowed; }
  button:focus-visible {
    outline: 3px solid var(--stripe-cart-focus-ring, var(--stripe-cart-accent, #635bff)); outline-offset: 2px;
  }
  .price { font-variant-numeric: tabular-nums; font-weight: 500; }
  .sr {
    position: absolute; width: 1px; height: 1px; overflow: hidden;
    clip: rect(0 0 0 0); white-space: nowrap;
  }
  .stock { display: block; margin-top: .35em; font-size: .85em; color: var(--stripe-cart-danger, #b42318); }
`;
