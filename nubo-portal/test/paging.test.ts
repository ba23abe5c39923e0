import { describe, expect, it } from 'vitest';
import { paginate, query, search } from '../src/lib/paging';

const items = Array.from({ length: 45 }, (_, i) => ({ id: 'vol-' + i, name: i % 2 ? 'Web' : null }));

describe('paginate', () => {
  it('cuts pages and says where they are', () => {
    const p = paginate(items, 1, 20);
    expect(p.items.map((x) => x.id)).toEqual(items.slice(20, 40).map((x) => x.id));
    expect(p).toMatchObject({ page: 1, pages: 3, from: 21, to: 40, total: 45 });
    expect(paginate(items, 2, 20)).toMatchObject({ from: 41, to: 45 });
  });
  it('clamps a page past the end to the last page (after a filter shrank the list)', () => {
    expect(paginate(items, 9, 20).page).toBe(2);
    expect(paginate(items, -3, 20).page).toBe(0);
  });
  it('an empty list is one empty page', () => {
    expect(paginate([], 0, 20)).toEqual({ items: [], page: 0, pages: 1, from: 0, to: 0, total: 0 });
  });
  it('refuses a page size below one', () => {
    expect(() => paginate(items, 0, 0)).toThrow(RangeError);
  });
});

describe('search', () => {
  it('matches any field, ignoring case and missing fields', () => {
    expect(search(items, 'web', (x) => [x.id, x.name])).toHaveLength(22);
    expect(search(items, 'VOL-4', (x) => [x.id]).map((x) => x.id)).toEqual(['vol-4', 'vol-40', 'vol-41', 'vol-42', 'vol-43', 'vol-44']);
  });
  it('empty or blank text keeps everything', () => {
    expect(search(items, '  ', (x) => [x.id])).toBe(items);
  });
});

describe('query', () => {
  it('skips empty parameters, repeats lists and encodes', () => {
    expect(query({ limit: 500, status: '', nextToken: null, account: undefined })).toBe('?limit=500');
    expect(query({ state: ['running', 'stopped'], name: 'a b&c' })).toBe('?state=running&state=stopped&name=a%20b%26c');
    expect(query({})).toBe('');
  });
});
