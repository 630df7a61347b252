import { describe, expect, it } from 'vitest';
import { UnsupportedFeatureError } from '../types.js';
import { prepareJsonSchema } from './schema.js';

const tool = { what: 'tool parameters', objectRoot: true };

describe('prepareJsonSchema', () => {
  it('keeps full JSON Schema (unions, additionalProperties, formats) and drops only the root $schema', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: {
        when: { type: 'string', format: 'date-time' },
        value: { anyOf: [{ type: 'string' }, { type: 'number' }] },
        tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
      },
      required: ['when'],
      additionalProperties: false,
    };
    const { $schema: _, ...expected } = schema;
    expect(prepareJsonSchema(schema, tool)).toEqual(expected);
  });

  it('inlines local $defs and definitions references; keywords next to $ref win', () => {
    const schema = {
      type: 'object',
      properties: {
        task: { $ref: '#/$defs/Task', description: 'The task to add.' },
        owner: { $ref: '#/definitions/Person' },
      },
      $defs: { Task: { type: 'object', description: 'A task.', properties: { title: { type: 'string' } }, required: ['title'] } },
      definitions: { Person: { type: 'string' } },
    };
    expect(prepareJsonSchema(schema, tool)).toEqual({
      type: 'object',
      properties: {
        task: { type: 'object', description: 'The task to add.', properties: { title: { type: 'string' } }, required: ['title'] },
        owner: { type: 'string' },
      },
    });
  });

  it('cuts a recursive reference at its second visit, keeping the type', () => {
    const schema = {
      $defs: { Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } } },
      $ref: '#/$defs/Node',
    };
    expect(prepareJsonSchema(schema, tool)).toEqual({ type: 'object', properties: { child: { type: 'object' } } });
  });

  it('treats property names and default/enum values as data, not keywords', () => {
    const schema = {
      type: 'object',
      properties: { $defs: { type: 'string' }, $ref: { type: 'string', default: { $ref: '#/x' } } },
      default: { $ref: '#/$defs/Nope', __proto__: 1 },
    };
    const out = prepareJsonSchema(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>, tool);
    expect(out.properties).toEqual({ $defs: { type: 'string' }, $ref: { type: 'string', default: { $ref: '#/x' } } });
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('does not follow pointers through the prototype chain and leaves unresolvable refs alone', () => {
    const schema = { type: 'object', properties: { a: { $ref: '#/__proto__/polluted' }, b: { $ref: 'https://example.com/s.json' } } };
    expect(prepareJsonSchema(schema, tool)).toEqual(schema);
  });

  it('adds type object to a bare tool schema but not to a response schema', () => {
    expect(prepareJsonSchema({}, tool)).toEqual({ type: 'object' });
    expect(prepareJsonSchema({ properties: { a: { type: 'string' } } }, tool)).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
    });
    expect(prepareJsonSchema({ anyOf: [{ type: 'string' }] }, { what: 'x', objectRoot: false })).toEqual({ anyOf: [{ type: 'string' }] });
  });

  it('does not modify its input', () => {
    const schema = { $schema: 'x', properties: { a: { $ref: '#/$defs/A' } }, $defs: { A: { type: 'string' } } };
    const copy = structuredClone(schema);
    prepareJsonSchema(schema, tool);
    expect(schema).toEqual(copy);
  });

  it('refuses schemas whose references expand exponentially', () => {
    // Each level references the next twice: 2^30 nodes once inlined.
    const $defs: Record<string, unknown> = { L30: { type: 'string' } };
    for (let i = 29; i >= 0; i--)
      $defs[`L${i}`] = { type: 'array', prefixItems: [{ $ref: `#/$defs/L${i + 1}` }, { $ref: `#/$defs/L${i + 1}` }] };
    const schema = { type: 'object', properties: { x: { $ref: '#/$defs/L0' } }, $defs };
    expect(() => prepareJsonSchema(schema, tool)).toThrow(UnsupportedFeatureError);
  });

  it('refuses absurdly deep nesting instead of overflowing the stack', () => {
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 5000; i++) deep = { type: 'array', items: deep };
    expect(() => prepareJsonSchema({ type: 'object', properties: { x: deep } }, tool)).toThrow(/too large or too deeply nested/);
  });
});
