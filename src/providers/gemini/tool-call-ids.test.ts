import { describe, expect, it } from 'vitest';
import { decodeToolCallId, encodeToolCallId, generatedToolCallId, toolCallScope } from './tool-call-ids.js';

describe('tool-call ids', () => {
  it('round-trips any signature exactly, using only [A-Za-z0-9_-]', () => {
    for (const signature of ['Eqo+Cqc+Ab4+9vtg/ONaaz6qwy==', 'skip_thought_signature_validator', 'ünïcödé', 'a']) {
      const id = encodeToolCallId('call_1', signature);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeToolCallId(id)).toEqual({ baseId: 'call_1', signature });
    }
  });

  it('leaves ids without a signature alone', () => {
    expect(encodeToolCallId('call_1', undefined)).toBe('call_1');
    expect(encodeToolCallId('call_1', '')).toBe('call_1');
    expect(decodeToolCallId('call_abc123')).toEqual({ baseId: 'call_abc123' });
    expect(decodeToolCallId('toolu_01A09q90qw90lq917835lq9')).toEqual({ baseId: 'toolu_01A09q90qw90lq917835lq9' });
  });

  it('treats a malformed suffix as part of a plain id instead of decoding it loosely', () => {
    for (const id of ['call__gsig_not base64!', 'call__gsig_', '__gsig_YWJj', 'call__gsig_YWJjZ']) {
      expect(decodeToolCallId(id)).toEqual({ baseId: id });
    }
  });

  it('generates ids from the response id, distinct per choice and call', () => {
    const scope = toolCallScope('JniLacKq/GqH0+xs0P0O776As==');
    expect(scope).toBe('JniLacKqGqH0xs0P0O776As');
    expect(generatedToolCallId(scope, 0, 1)).toBe('call_JniLacKqGqH0xs0P0O776As_0_1');
    expect(toolCallScope(undefined)).toMatch(/^[0-9a-f]{16}$/);
    expect(toolCallScope(undefined)).not.toBe(toolCallScope(undefined));
  });
});
