import { describe, expect, it } from 'vitest';
import { createBcryptPacer } from './bcrypt-pacer.js';

async function elapsed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createBcryptPacer', () => {
  it('waits as long as the start-up measurement until real comparisons come in', async () => {
    const pacer = createBcryptPacer({ calibrate: () => Promise.resolve(80), jitter: 0 });
    expect(await elapsed(() => pacer.pad())).toBeGreaterThanOrEqual(75);
  });

  it('then follows the median of recent comparisons, so it tracks the load', async () => {
    const pacer = createBcryptPacer({ calibrate: () => Promise.resolve(5), jitter: 0, window: 3 });
    for (const ms of [120, 120, 120]) await pacer.timed(() => wait(ms));
    expect(await elapsed(() => pacer.pad())).toBeGreaterThanOrEqual(110);
  });

  it('spreads the wait symmetrically by the jitter', async () => {
    const low = createBcryptPacer({ calibrate: () => Promise.resolve(100), jitter: 0.5, random: () => 0 });
    const high = createBcryptPacer({ calibrate: () => Promise.resolve(100), jitter: 0.5, random: () => 1 });
    const [short, long] = await Promise.all([elapsed(() => low.pad()), elapsed(() => high.pad())]);
    expect(short).toBeGreaterThanOrEqual(45);
    expect(long).toBeGreaterThanOrEqual(145);
    // Both timers run side by side, so a busy event loop delays them alike.
    expect(long - short).toBeGreaterThan(50);
  });

  it('still waits when the start-up measurement failed', async () => {
    const pacer = createBcryptPacer({ calibrate: () => Promise.reject(new Error('no bcrypt')), jitter: 0 });
    expect(await elapsed(() => pacer.pad())).toBeGreaterThanOrEqual(50);
  });
});
