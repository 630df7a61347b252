import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap (with the top of the jitter range)', () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, 100, 1_000, top))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('jitters into the upper half of the delay', () => {
    expect(backoffDelay(3, 100, 1_000, () => 0)).toBe(200);
    expect(backoffDelay(3, 100, 1_000, () => 0.5)).toBe(300);
  });

  it('stays finite and capped however long the outage', () => {
    expect(backoffDelay(10_000, 100, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(0, 100, 30_000, () => 1)).toBe(100);
  });
});
