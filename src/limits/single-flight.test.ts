import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

describe('SingleFlight', () => {
  it('shares one call between concurrent callers of the same key', async () => {
    const flight = new SingleFlight<number>();
    let calls = 0;
    let release: (value: number) => void = () => undefined;
    const work = (): Promise<number> => {
      calls++;
      return new Promise((resolve) => (release = resolve));
    };
    const both = Promise.all([flight.run('k', work), flight.run('k', work)]);
    await Promise.resolve();
    await Promise.resolve();
    release(7);
    expect(await both).toEqual([7, 7]);
    expect(calls).toBe(1);
  });

  it('starts afresh once the previous call settled, and does not cache failures', async () => {
    const flight = new SingleFlight<number>();
    await expect(
      flight.run('k', () => {
        throw new Error('synchronous failure');
      }),
    ).rejects.toThrow('synchronous failure');
    await expect(flight.run('k', () => Promise.reject(new Error('async failure')))).rejects.toThrow('async failure');
    expect(await flight.run('k', () => Promise.resolve(3))).toBe(3);
    expect(await flight.run('k', () => Promise.resolve(4))).toBe(4);
  });

  it('keeps different keys apart', async () => {
    const flight = new SingleFlight<string>();
    expect(await Promise.all([flight.run('a', () => Promise.resolve('a')), flight.run('b', () => Promise.resolve('b'))])).toEqual([
      'a',
      'b',
    ]);
  });
});
