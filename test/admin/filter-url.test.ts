/** The filters as the URL's fragment: written back as read, and nonsense read as the defaults. */
import { describe, expect, it } from 'vitest';
import { choiceFromFragment, filterFragment } from '../../demo/admin/filter-url';

describe('filters in the URL fragment', () => {
  it('reads back what it wrote', () => {
    const choice = {
      from: '2026-11-01',
      to: '2026-11-30',
      status: 'paid',
      email: 'a+b@x.com',
    } as const;
    expect(choiceFromFragment(filterFragment(choice))).toEqual(choice);
  });

  it('keeps a preset as a preset, leaving its dates of today out', () => {
    const fragment = filterFragment({ preset: '7', from: '2026-11-22', to: '2026-11-28' });
    expect(fragment).toBe('#range=7');
    expect(choiceFromFragment(fragment)).toEqual({ preset: '7' });
  });

  it('writes nothing for the defaults', () => {
    expect(filterFragment({ from: '', email: '' })).toBe('');
  });

  it('drops each value it does not know, keeping the others', () => {
    expect(
      choiceFromFragment(
        `#range=14&from=2026-02-30&to=2026-03-01&status=toString&email=${'x'.repeat(201)}&token=secret`,
      ),
    ).toEqual({ to: '2026-03-01' });
    expect(choiceFromFragment('#from=2026-03-10&to=2026-03-01&status=expired')).toEqual({
      status: 'expired',
    });
    expect(choiceFromFragment('#%E0%A4%A&&=')).toEqual({});
  });
});
