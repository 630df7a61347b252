import { describe, expect, it } from 'vitest';
import { detectSsns, isValidSsn } from './ssn.js';

const spans = (text: string) => detectSsns(text).map((f) => text.slice(f.start, f.end));

describe('detectSsns', () => {
  it('finds dashed SSNs without context', () => {
    expect(spans("Here's my SSN: 460-89-9847")).toEqual(['460-89-9847']);
    expect(spans('id 054-28-6917, then 771-01-0866.')).toEqual(['054-28-6917', '771-01-0866']);
  });

  it('accepts spaced, dotted and bare forms only next to an SSN cue', () => {
    expect(spans('His social security number is 853 37 1694')).toEqual(['853 37 1694']);
    expect(spans('SSN: 853371694')).toEqual(['853371694']);
    expect(spans('ssn 853.37.1694')).toEqual(['853.37.1694']);
    expect(spans('call 853 37 1694 or order 853371694')).toEqual([]);
    // "social" as people say it, not as the word
    for (const text of ['my social is 853371694.', 'Her social #: 853 37 1694', 'your social: 853.37.1694', 'social number 853371694'])
      expect(spans(text), text).toHaveLength(1);
    for (const text of ['social media 853371694 views', 'my social circle 853 37 1694', 'the social 853371694'])
      expect(spans(text), text).toEqual([]);
  });

  it('rejects the never-issued ranges', () => {
    for (const bad of ['000-12-3456', '666-12-3456', '900-12-3456', '999-12-3456', '123-00-4567', '123-45-0000', '078-05-1120'])
      expect(spans(`SSN: ${bad}`)).toEqual([]);
    expect(isValidSsn('899', '99', '9999')).toBe(true);
  });

  it('does not fire inside longer numbers or codes', () => {
    expect(spans('1-460-89-9847 and 460-89-98470 and AB460-89-9847 and 2270-66-1551 and 460-89 9847')).toEqual([]);
  });
});
