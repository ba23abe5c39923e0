import { describe, expect, it } from 'vitest';
import { MAX_ROOT_GIB, minRootGib, rootGibValid } from '../src/lib/disk';

describe('root disk size in the launch wizard', () => {
  it('is at least the image, rounded up to whole GiB', () => {
    expect(minRootGib(undefined)).toBe(1);
    expect(minRootGib(0)).toBe(1);
    expect(minRootGib(2 ** 30)).toBe(1);
    expect(minRootGib(2 ** 30 + 1)).toBe(2);
    expect(minRootGib(8 * 2 ** 30)).toBe(8);
  });
  it('accepts empty (the image size) and whole sizes in range', () => {
    expect(rootGibValid('', 8)).toBe(true);
    expect(rootGibValid('8', 8)).toBe(true);
    expect(rootGibValid(String(MAX_ROOT_GIB), 1)).toBe(true);
  });
  it('refuses sizes below the image, above the maximum, fractions and text', () => {
    expect(rootGibValid('7', 8)).toBe(false);
    expect(rootGibValid(String(MAX_ROOT_GIB + 1), 1)).toBe(false);
    expect(rootGibValid('2.5', 1)).toBe(false);
    expect(rootGibValid('ten', 1)).toBe(false);
    expect(rootGibValid('-1', 1)).toBe(false);
  });
});
