import { describe, expect, it } from 'vitest';
import { detectPii } from './detect.js';

describe('detectPii', () => {
  it('combines the sub-detectors with offsets into the original text', () => {
    const text = 'Email UtaKortig@jourrapide.com, card 4454794511390933, SSN 460-89-9847, ip 41.173.96.26, call 541-714-1388.';
    const found = detectPii(text).map((f) => [f.type, text.slice(f.start, f.end)]);
    expect(found).toEqual([
      ['EMAIL', 'UtaKortig@jourrapide.com'],
      ['CREDIT_CARD', '4454794511390933'],
      ['SSN', '460-89-9847'],
      ['IP_ADDRESS', '41.173.96.26'],
      ['PHONE', '541-714-1388'],
    ]);
    for (const f of detectPii(text)) {
      expect(f.detector).toBe('pii');
      expect(f.confidence).toBeGreaterThan(0);
      expect(f.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('reports one finding per span: the more specific type wins', () => {
    // Phone-shaped after a phone cue, but a Luhn-valid Visa number.
    const text = 'call 4111 1111 1111 1111';
    expect(detectPii(text).map((f) => f.type)).toEqual(['CREDIT_CARD']);
    // An SSN after a phone cue is still reported once.
    expect(detectPii('call me, SSN 460-89-9847').map((f) => f.type)).toEqual(['SSN']);
  });

  it('keeps offsets right after astral characters', () => {
    const text = '😀😀 mail a.b@example.com';
    const [f] = detectPii(text);
    expect(text.slice(f!.start, f!.end)).toBe('a.b@example.com');
  });

  it('finds nothing in ordinary prose', () => {
    expect(detectPii('Summarise the meeting notes from Tuesday and list three action items.')).toEqual([]);
  });
});
