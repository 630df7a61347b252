import { getEncoding } from 'js-tiktoken';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { countTokens, tokenizerWorkerRunning } from './tokenizer-worker.js';

const o200k = getEncoding('o200k_base');
const MINUTE = 60_000;

// Only the timers are faked: the worker's replies still arrive through its real message port.
afterEach(() => {
  vi.useRealTimers();
});

describe('the tokenizer worker stops when idle (its ~160 MB go back)', () => {
  it('ends a minute after the last count, and a later count starts a fresh one that counts correctly', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    expect(await countTokens('o200k_base', ['first count'])).toEqual([o200k.encode('first count').length]);
    expect(tokenizerWorkerRunning()).toBe(true);

    vi.advanceTimersByTime(MINUTE - 1);
    expect(tokenizerWorkerRunning()).toBe(true);
    vi.advanceTimersByTime(1);
    expect(tokenizerWorkerRunning()).toBe(false);

    expect(await countTokens('o200k_base', ['after the stop'])).toEqual([o200k.encode('after the stop').length]);
    expect(tokenizerWorkerRunning()).toBe(true);
  });

  it('keeps running while counts keep coming: each count restarts the minute', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await countTokens('o200k_base', ['one']);
    vi.advanceTimersByTime(MINUTE - 1000);
    await countTokens('o200k_base', ['two']);
    vi.advanceTimersByTime(MINUTE - 1000);
    expect(tokenizerWorkerRunning()).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(tokenizerWorkerRunning()).toBe(false);
  });
});
