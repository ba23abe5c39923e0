import { describe, expect, it } from 'vitest';
import { newestOnly } from '../src/lib/newest';

describe('newestOnly', () => {
  it('keeps only the last load current, whichever answers first', async () => {
    const ticket = newestOnly();
    const shown: string[] = [];
    const load = (value: string, ms: number) => {
      const current = ticket();
      return new Promise<string>((r) => setTimeout(() => r(value), ms)).then((v) => {
        if (current()) shown.push(v);
      });
    };
    // The older load answers last, as a slow request on a busy server does.
    await Promise.all([load('stale', 30), load('fresh', 1)]);
    expect(shown).toEqual(['fresh']);
  });
  it('a lone load is current', () => {
    const ticket = newestOnly();
    expect(ticket()()).toBe(true);
  });
  it('separate loaders do not affect each other', () => {
    const a = newestOnly();
    const b = newestOnly();
    const first = a();
    b();
    expect(first()).toBe(true);
  });
});
