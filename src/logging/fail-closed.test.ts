import { describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';
import { REDACTED } from './redacted.js';
import { scrubSecrets } from './secret-registry.js';

// Simulates V8 running out of regex backtrack stack on pathological input, which cannot be
// provoked reliably with a reasonably sized string in a unit test.
vi.mock('./secret-shapes.js', () => ({
  SECRET_SHAPE_NAMES: [],
  scrubKnownShapes: () => {
    throw new RangeError('Maximum call stack size exceeded');
  },
}));

describe('when scrubbing throws', () => {
  it('scrubSecrets returns the marker instead of the unscrubbed text', () => {
    expect(scrubSecrets('sk-proj-would-have-leaked-0123456789')).toBe(REDACTED);
  });

  it('the logger writes a valid JSON line saying the line was withheld, without its content', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    logger.info({ detail: 'sk-proj-would-have-leaked-0123456789' }, 'upstream said hello');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('would-have-leaked');
    expect(lines[0]).not.toContain('upstream said hello');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', msg: expect.stringContaining('withheld') as unknown });
  });
});
