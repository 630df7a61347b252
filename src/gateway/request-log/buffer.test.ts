import { describe, expect, it } from 'vitest';
import { BoundedBuffer } from './buffer.js';

function filled(capacity: number, count: number): BoundedBuffer<number> {
  const buffer = new BoundedBuffer<number>(capacity);
  for (let i = 1; i <= count; i++) expect(buffer.push(i)).toBe(true);
  return buffer;
}

describe('BoundedBuffer', () => {
  it('refuses pushes beyond capacity, counting what is in flight', () => {
    const buffer = filled(3, 3);
    expect(buffer.push(4)).toBe(false);
    expect(buffer.take(2)).toEqual([1, 2]);
    expect(buffer).toMatchObject({ size: 3, queued: 1, inFlight: 2 });
    expect(buffer.push(4)).toBe(false); // in-flight items still hold their place
    buffer.settle(2);
    expect(buffer.push(4)).toBe(true);
    expect(buffer.push(5)).toBe(true);
    expect(buffer.push(6)).toBe(false);
    expect(buffer.take(10)).toEqual([3, 4, 5]);
  });

  it('puts failed items back in front, in the given order', () => {
    const buffer = filled(10, 5);
    const batch = buffer.take(3);
    buffer.push(6);
    buffer.putBack(batch.slice(1));
    buffer.settle(1);
    expect(buffer).toMatchObject({ inFlight: 0, queued: 5 });
    expect(buffer.peek()).toBe(2);
    expect(buffer.take(10)).toEqual([2, 3, 4, 5, 6]);
  });

  it('clear() empties the queue but leaves what is in flight', () => {
    const buffer = filled(10, 5);
    buffer.take(2);
    expect(buffer.clear()).toBe(3);
    expect(buffer).toMatchObject({ size: 2, queued: 0, inFlight: 2 });
    expect(buffer.peek()).toBeUndefined();
  });

  it('refuses to release more than is in flight: an accounting bug must not go unnoticed', () => {
    const buffer = filled(10, 2);
    buffer.take(1);
    expect(() => buffer.settle(2)).toThrow(/in flight/);
    expect(() => buffer.putBack([1, 2])).toThrow(/in flight/);
  });

  it('stays FIFO across compactions of a long-running queue', () => {
    const buffer = new BoundedBuffer<number>(5_000);
    let next = 0;
    const taken: number[] = [];
    for (let round = 0; round < 50; round++) {
      while (buffer.push(next)) next++;
      const batch = buffer.take(3_000);
      taken.push(...batch);
      buffer.settle(batch.length);
    }
    expect(taken).toHaveLength(150_000);
    expect(taken.every((item, index) => item === index)).toBe(true);
    expect(buffer.size).toBe(5_000 - 3_000);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new BoundedBuffer(0)).toThrow(RangeError);
    expect(() => new BoundedBuffer(1.5)).toThrow(RangeError);
  });
});
