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

  it('stops trusting comparisons older than a minute: the next refusal does a real hash, and its time is the new estimate', async () => {
    let clock = 0;
    let measured = 0;
    const pacer = createBcryptPacer({
      // a "hash" of 10 ms at today's speed; the comparisons below ran at 200 ms, long ago
      calibrate: () => wait(10).then(() => ++measured && 10),
      jitter: 0,
      window: 3,
      now: () => clock,
    });
    for (let i = 0; i < 3; i++) await pacer.timed(() => wait(200));
    expect(measured).toBe(1); // the start-up measurement
    expect(await elapsed(() => pacer.pad())).toBeGreaterThanOrEqual(190);

    clock = 61_000;
    // stale: this refusal hashes (10 ms) instead of waiting the old 200 ms median
    expect(await elapsed(() => pacer.pad())).toBeLessThan(150);
    expect(measured).toBe(2);
    // and the next one waits on the fresh sample alone
    expect(await elapsed(() => pacer.pad())).toBeLessThan(150);
    expect(measured).toBe(2);
  });

  it('re-measures once for concurrent refusals; the others wait on the last estimate', async () => {
    let clock = 0;
    let measured = 0;
    const pacer = createBcryptPacer({ calibrate: () => wait(20).then(() => ++measured && 20), jitter: 0, now: () => clock });
    await pacer.pad();
    clock = 120_000;
    await Promise.all([pacer.pad(), pacer.pad(), pacer.pad()]);
    expect(measured).toBe(2);
  });
});
