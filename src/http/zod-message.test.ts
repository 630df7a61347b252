import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeZodError, formatPath } from './zod-message.js';

function describeFailure(schema: z.ZodType, input: unknown, withInput = true): string {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected a failure');
  return describeZodError(result.error, withInput ? input : undefined);
}

describe('describeZodError', () => {
  const chat = z
    .object({
      model: z.string().min(1),
      temperature: z.number().min(0).max(2).optional(),
      messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content: z.string() })).min(1),
    })
    .strict();

  it.each([
    [{ messages: [{ role: 'user', content: 'hi' }] }, 'model: is required'],
    [{ model: 42, messages: [{ role: 'user', content: 'hi' }] }, 'model: expected string, got number'],
    [{ model: '', messages: [{ role: 'user', content: 'hi' }] }, 'model: must have at least 1 character(s)'],
    [{ model: 'm', temperature: 9, messages: [{ role: 'user', content: 'hi' }] }, 'temperature: must be <= 2'],
    [{ model: 'm', messages: [] }, 'messages: must have at least 1 item(s)'],
    [{ model: 'm', messages: [{ role: 'system', content: 'hi' }] }, 'messages[0].role: must be one of "user", "assistant"'],
    [{ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream_x: true }, 'stream_x: is not an accepted field'],
    [[], '(root): expected object, got array'],
  ])('%j -> %s', (input, expected) => {
    expect(describeFailure(chat, input)).toBe(expected);
  });

  it('never includes submitted values', () => {
    const secret = 'sk-live-0123456789abcdef';
    const message = describeFailure(chat, {
      model: { secret },
      temperature: secret,
      messages: [{ role: secret, content: 5 }],
      [secret.slice(0, 10)]: secret,
    });
    expect(message).not.toContain('0123456789');
    expect(message).toContain('temperature');
  });

  it('hides client-chosen keys that are not plain identifiers', () => {
    const schema = z.record(z.string(), z.number());
    const message = describeFailure(schema, { 'has space "quoted"': 'x', plain_key: 'y' });
    expect(message).toContain('[?]: expected number');
    expect(message).toContain('plain_key: expected number');
    expect(message).not.toContain('quoted');
  });

  it('names the discriminator of a discriminated union', () => {
    const schema = z.discriminatedUnion('type', [
      z.object({ type: z.literal('text'), text: z.string() }),
      z.object({ type: z.literal('image'), url: z.string() }),
    ]);
    expect(describeFailure(schema, { type: 'video' })).toBe('type: must be one of "text", "image"');
  });

  it('keeps refinement messages but strips control characters', () => {
    const schema = z.object({ a: z.number(), b: z.number() }).refine((v) => v.b > v.a, {
      message: 'b must exceed a\r\ninjected',
      path: ['b'],
    });
    expect(describeFailure(schema, { a: 2, b: 1 })).toBe('b: b must exceed a  injected');
  });

  it("keeps a pattern's own message, and replaces Zod's default (which prints the pattern)", () => {
    const schema = z.object({
      status: z.string().regex(/^[1-5]\d\d$/, 'must be an HTTP status (429)'),
      id: z.uuid(),
      code: z.string().regex(/^x+$/),
    });
    expect(describeFailure(schema, { status: 'teapot', id: 'nope', code: 'y' })).toBe(
      'status: must be an HTTP status (429); id: must be a valid uuid; code: does not match the required pattern',
    );
  });

  it('without the input it still names the field', () => {
    expect(describeFailure(z.object({ model: z.string() }), {}, false)).toBe('model: expected string');
  });

  it('caps the number of issues reported', () => {
    const schema = z.object(Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, z.string()])));
    const message = describeFailure(schema, {});
    expect(message.split('; ')).toHaveLength(6);
    expect(message).toMatch(/and 3 more$/);
  });

  it('does not resolve inherited properties when deciding "required"', () => {
    expect(describeFailure(z.object({ constructor: z.string() }), {})).toBe('constructor: is required');
  });
});

describe('formatPath', () => {
  it.each([
    [[], '(root)'],
    [['a'], 'a'],
    [['a', 0, 'b'], 'a[0].b'],
    [[0], '[0]'],
    [['a', 'x.y'], 'a[?]'],
    [[Symbol('s')], '[?]'],
  ] as const)('%j -> %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});
