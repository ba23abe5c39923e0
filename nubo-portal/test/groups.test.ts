import { describe, expect, it } from 'vitest';
import { sameGroups, toggleGroup } from '../src/lib/groups';

describe("the instance page's security group choice", () => {
  it('adds a checked group once, at the end', () => {
    expect(toggleGroup(['sg-1'], 'sg-2', true)).toEqual(['sg-1', 'sg-2']);
    expect(toggleGroup(['sg-1', 'sg-2'], 'sg-1', true)).toEqual(['sg-2', 'sg-1']);
    expect(toggleGroup([], 'sg-1', true)).toEqual(['sg-1']);
  });
  it('removes an unchecked group and keeps the order of the rest', () => {
    expect(toggleGroup(['sg-1', 'sg-2', 'sg-3'], 'sg-2', false)).toEqual(['sg-1', 'sg-3']);
    expect(toggleGroup(['sg-1'], 'sg-1', false)).toEqual([]);
    expect(toggleGroup(['sg-1'], 'sg-9', false)).toEqual(['sg-1']);
  });
  it('compares choices as sets', () => {
    expect(sameGroups(['sg-1', 'sg-2'], ['sg-2', 'sg-1'])).toBe(true);
    expect(sameGroups([], [])).toBe(true);
    expect(sameGroups(['sg-1'], ['sg-1', 'sg-2'])).toBe(false);
    expect(sameGroups(['sg-1', 'sg-2'], ['sg-1', 'sg-3'])).toBe(false);
  });
});
