import { describe, expect, it } from 'vitest';
import { bytes, minor, money, perHour, quantity } from '../src/lib/format';

describe('money from micro-units', () => {
  it('shows dollars and cents', () => {
    expect(money(0)).toBe('$0.00');
    expect(money(1_230_000)).toBe('$1.23');
    expect(money(12_345_678_900_000)).toBe('$12,345,678.90');
  });
  it('rounds half away from zero at the cent, without float drift', () => {
    expect(money(5_000)).toBe('$0.01'); // 0.005 dollars
    expect(money(4_999)).toBe('$0.00');
    expect(money(1_005_000)).toBe('$1.01'); // 1.005 is 1.00499... as a float
    expect(money(-5_000)).toBe('-$0.01');
  });
  it('keeps the sign of negative amounts (credits)', () => {
    expect(money(-2_500_000)).toBe('-$2.50');
  });
  it('shows small prices per hour with four decimals', () => {
    expect(perHour(12_500)).toBe('$0.0125/h');
    expect(perHour(1)).toBe('$0.0000/h');
    expect(money(123, 6)).toBe('$0.000123');
  });
});

describe('other formats', () => {
  it('minor units', () => {
    expect(minor(123456)).toBe('$1,234.56');
    expect(minor(5)).toBe('$0.05');
    expect(minor(-105, 'EUR')).toBe('-1.05 EUR');
  });
  it('bytes in binary units', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.5 KiB');
    expect(bytes(64 * 1024 ** 3)).toBe('64 GiB');
  });
  it('quantities with their unit', () => {
    expect(quantity(1, 'hour')).toBe('1 hour');
    expect(quantity(36, 'hour')).toBe('36 hours');
    expect(quantity(1.5, 'GiB-month')).toBe('1.5 GiB-month');
  });
});
