/** Just enough of a DOM for the analytics page's `h()` and `s()` builders, in Node. */
export class FakeNode {
  readonly children: (FakeNode | string)[] = [];
  readonly attributes: Record<string, string> = {};
  readonly dataset: Record<string, string> = {};
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string) {
    this.attributes[name] = value;
  }
  append(child: FakeNode | string) {
    this.children.push(child);
  }
  get textContent(): string {
    return this.children.map((c) => (typeof c === 'string' ? c : c.textContent)).join('');
  }
  find(tag: string): FakeNode | undefined {
    for (const c of this.children) {
      if (typeof c === 'string') continue;
      if (c.tagName === tag) return c;
      const inner = c.find(tag);
      if (inner) return inner;
    }
    return undefined;
  }
  findAll(tag: string): FakeNode[] {
    return this.children.flatMap((c) =>
      typeof c === 'string' ? [] : [...(c.tagName === tag ? [c] : []), ...c.findAll(tag)],
    );
  }
}

/** Installs the fake `document`; the returned function removes it. */
export function installFakeDom(): () => void {
  (globalThis as { document?: unknown }).document = {
    createElement: (tag: string) => new FakeNode(tag),
    createElementNS: (_ns: string, tag: string) => new FakeNode(tag),
  };
  return () => {
    delete (globalThis as { document?: unknown }).document;
  };
}
