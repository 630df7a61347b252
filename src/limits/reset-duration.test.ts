import { describe, expect, it } from 'vitest';
import { formatResetDuration } from './reset-duration.js';

describe('formatResetDuration (Go duration strings, as OpenAI sends them)', () => {
  it.each([
    [0, '0s'],
    [-5, '0s'],
    [0.2, '1ms'],
    [12, '12ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [1005, '1.005s'],
    [59_999, '59.999s'],
    [60_000, '1m0s'],
    [360_000, '6m0s'],
    [90_500, '1m30.5s'],
    [3_600_000, '1h0m0s'],
    [3_723_004, '1h2m3.004s'],
  ])('%d ms -> %s', (ms, expected) => {
    expect(formatResetDuration(ms)).toBe(expected);
  });
});
