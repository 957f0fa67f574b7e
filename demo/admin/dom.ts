/**
 * Tiny element builders. Text always goes in as text nodes, so names and emails from
 * the read models can never become markup.
 */
type Attributes = Record<string, string | number | boolean | undefined>;
type Child = Node | string | null | undefined | false;

function build<E extends Element>(element: E, attributes: Attributes, children: Child[]): E {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child);
  }
  return element;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  return build(document.createElement(tag), attributes, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  return build(
    document.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K],
    attributes,
    children,
  );
}

/**
 * A chart's figures as a table only screen readers see: the text alternative of the
 * drawing beside it, which is hidden from them.
 */
export function figuresTable(caption: string, headers: string[], rows: string[][]): HTMLElement {
  // A table box ignores overflow, so the hiding is done by a wrapper.
  return h(
    'div',
    { class: 'visually-hidden' },
    h(
      'table',
      {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            {},
            ...row.map((cell, index) =>
              index === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * A figure holding one chart: the drawing (an SVG, or rows of bars) for the eye, the table
 * for assistive technology.
 */
export function chartFigure(
  caption: string,
  drawing: Element,
  table: HTMLElement,
  extra?: Node,
): HTMLElement {
  drawing.setAttribute('aria-hidden', 'true');
  return h('figure', { class: 'chart' }, h('figcaption', {}, caption), drawing, extra, table);
}

export function emptyNote(text: string): HTMLElement {
  return h('p', { class: 'empty' }, text);
}
