import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.js';
import { spanIndex, type Span } from './span-index.js';

describe('spanIndex', () => {
  it('answers covers and overlaps as a walk over every span would, spans nested, touching and repeated', () => {
    const random = seededRandom(5);
    const span = (): Span => {
      const start = Math.floor(random() * 60);
      return { start, end: start + Math.floor(random() * 12) };
    };
    for (let round = 0; round < 200; round++) {
      const spans = Array.from({ length: Math.floor(random() * 9) }, span);
      const index = spanIndex(spans);
      for (let q = 0; q < 40; q++) {
        const { start, end } = span();
        expect(index.covers(start, end), JSON.stringify({ spans, start, end })).toBe(spans.some((s) => s.start <= start && s.end >= end));
        expect(index.overlaps(start, end), JSON.stringify({ spans, start, end })).toBe(spans.some((s) => s.start < end && s.end > start));
      }
    }
  });

  it('finds nothing in no spans, and counts a span ending where another starts as no overlap', () => {
    expect(spanIndex([]).covers(0, 0)).toBe(false);
    expect(spanIndex([]).overlaps(0, 5)).toBe(false);
    const index = spanIndex([{ start: 10, end: 20 }]);
    expect([index.overlaps(20, 25), index.overlaps(5, 10), index.overlaps(19, 21), index.covers(10, 20), index.covers(9, 20)]).toEqual([
      false,
      false,
      true,
      true,
      false,
    ]);
  });
});
