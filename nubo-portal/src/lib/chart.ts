// The cost-per-day chart's arithmetic, apart from its drawing so that it can be tested: one bar
// per day of the range (days without usage are zero, not missing), stacked by usage type.

export interface UsageGroup { key: string; usageType: string; unit: string; quantity: number; amountMicros: number }

export interface DayBar { day: string; total: number; parts: { type: string; micros: number }[] }

/** Every UTC day from `from` (inclusive) to `to` (exclusive), as YYYY-MM-DD. */
export function days(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(to + 'T00:00:00Z');
  for (let t = Date.parse(from + 'T00:00:00Z'); t < end; t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Bars for usage grouped by day (the API's groupBy=day: one group per day and type). */
export function dayBars(groups: UsageGroup[], from: string, to: string): DayBar[] {
  const byDay = new Map<string, Map<string, number>>();
  for (const g of groups) {
    const types = byDay.get(g.key) ?? new Map<string, number>();
    types.set(g.usageType, (types.get(g.usageType) ?? 0) + g.amountMicros);
    byDay.set(g.key, types);
  }
  return days(from, to).map((day) => {
    const types = byDay.get(day) ?? new Map<string, number>();
    const parts = [...types.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, micros]) => ({ type, micros }));
    return { day, total: parts.reduce((s, p) => s + p.micros, 0), parts };
  });
}

/** A round upper bound for the axis (1, 2 or 5 times a power of ten) at or above the largest bar; never 0. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** Decimals for axis labels so that small amounts (fractions of a cent in micro-dollars) do not all read $0.00. */
export function axisDigits(maxMicros: number): number {
  if (maxMicros >= 100_000) return 2; // 10 cents and up
  if (maxMicros >= 1_000) return 4;
  return 6;
}
