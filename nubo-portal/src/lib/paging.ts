// Client-side search, filter and pages for lists the API returns whole (or a page at a time).

/** Keeps the items any of whose fields contains the search text (case-insensitive); empty text keeps all. */
export function search<T>(items: T[], text: string, fields: (item: T) => (string | null | undefined)[]): T[] {
  const q = text.trim().toLowerCase();
  if (!q) return items;
  return items.filter((item) => fields(item).some((f) => (f ?? '').toLowerCase().includes(q)));
}

export interface Page<T> {
  items: T[];
  page: number; // 0-based, clamped into range
  pages: number; // at least 1
  from: number; // 1-based index of the first item shown, 0 when empty
  to: number;
  total: number;
}

/** One page of a list; a page past the end shows the last one (after a filter shrank the list). */
export function paginate<T>(items: T[], page: number, size: number): Page<T> {
  if (size < 1) throw new RangeError('page size must be at least 1');
  const pages = Math.max(1, Math.ceil(items.length / size));
  const p = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const slice = items.slice(p * size, p * size + size);
  return { items: slice, page: p, pages, from: slice.length ? p * size + 1 : 0, to: p * size + slice.length, total: items.length };
}

/** A query string from the set parameters, in order, skipping empty ones: "?a=1&b=x%20y" or "". */
export function query(params: Record<string, string | number | null | undefined | string[]>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    const values = Array.isArray(v) ? v : [String(v)];
    for (const one of values) parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(one));
  }
  return parts.length ? '?' + parts.join('&') : '';
}
