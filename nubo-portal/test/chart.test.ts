import { describe, expect, it } from 'vitest';
import { axisDigits, dayBars, days, niceMax } from '../src/lib/chart';

describe('cost per day', () => {
  it('has one bar per day of the range, zero where nothing was used', () => {
    expect(days('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    const bars = dayBars([
      { key: '2026-02-28', usageType: 'volume', unit: 'GiB-second', quantity: 1, amountMicros: 300 },
      { key: '2026-02-28', usageType: 'instance', unit: 'second', quantity: 1, amountMicros: 1000 },
    ], '2026-02-27', '2026-03-01');
    expect(bars).toEqual([
      { day: '2026-02-27', total: 0, parts: [] },
      { day: '2026-02-28', total: 1300, parts: [{ type: 'instance', micros: 1000 }, { type: 'volume', micros: 300 }] },
    ]);
  });
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(1_300)).toBe(2_000);
    expect(niceMax(4_100_000)).toBe(5_000_000);
    expect(niceMax(5_000_000)).toBe(5_000_000);
  });
  it('labels small amounts with enough decimals to tell them apart', () => {
    expect(axisDigits(5_000_000)).toBe(2);
    expect(axisDigits(2_000)).toBe(4);
    expect(axisDigits(20)).toBe(6);
  });
});
