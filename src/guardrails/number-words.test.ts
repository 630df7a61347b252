import { describe, expect, it } from 'vitest';
import { foundValues, judgeInput } from './engine/test-context.js';
import { numberWordsAtEnd, numberWordsHeldFrom, readNumberWords } from './number-words.js';

const WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** Each group of digits of `value` in words, one word a digit, a space between them. */
const inWords = (value: string) => value.replace(/\d+/g, (group) => [...group].map((d) => WORDS[Number(d)]).join(' '));
const values = foundValues;

describe('numbers written in words', () => {
  it('finds an SSN, a phone and a card number written a word a digit, the finding over the words', () => {
    const ssn = inWords('523456789');
    expect(values(`my ssn is ${ssn}, thanks`)).toEqual([['SSN', ssn]]);
    const phone = 'two one two, five five five, zero one eight two';
    expect(values(`Call me on ${phone} after lunch.`)).toEqual([['PHONE', phone]]);
    const card = inWords('4111 1111 1111 1111');
    expect(values(`Card: ${card}.`)).toEqual([['CREDIT_CARD', card]]);
  });

  it('reads the ways numbers are said: grouped by any separator, "oh" for zero, "double" and "triple", digits among the words, any case', () => {
    const said = [
      ['SSN: Five-Two-Three Four-Five Six-Seven-Eight-Nine', 'SSN', 'Five-Two-Three Four-Five Six-Seven-Eight-Nine', '523 45 6789'],
      [
        'call me on double five five, one two three, four five six seven',
        'PHONE',
        'double five five, one two three, four five six seven',
        '555 123 4567',
      ],
      [
        'UK mobile: oh seven seven oh oh, nine oh oh one two three',
        'PHONE',
        'oh seven seven oh oh, nine oh oh one two three',
        '07700 900123',
      ],
      ['phone: two one two / triple five / zero one eight two', 'PHONE', 'two one two / triple five / zero one eight two', '212 555 0182'],
      ['call me at 555 one two three four five six seven', 'PHONE', '555 one two three four five six seven', '5551234567'],
      ['call me at 555-123 four five six seven', 'PHONE', '555-123 four five six seven', '555 1234567'],
    ] as const;
    for (const [text, type, value, run] of said) {
      expect(values(text), text).toEqual([[type, value]]);
      const reading = readNumberWords(text)!;
      expect(
        reading.runs.map((r) => reading.text.slice(r.start, r.end)),
        text,
      ).toEqual([run]);
    }
  });

  it('redacts the words in place, blocks them, and hashes the digits read', () => {
    const phone = inWords('212 555 0182');
    const outcome = judgeInput(`Ring ${phone} now.`, { pii: { actions: { PHONE: 'redact' } } }, (v) => v);
    expect(outcome).toMatchObject({ blocked: undefined, text: 'Ring [PHONE_1] now.' });
    expect(outcome.events.map((e) => e.valueHash)).toEqual(['2125550182']);
    expect(judgeInput(`SSN ${inWords('523-45-6789')}`, { pii: { actions: { SSN: 'block' } } }).blocked).toMatchObject({ type: 'SSN' });
  });

  it('reads nothing into counting, scores, short numbers or prose that uses number words', () => {
    for (const text of [
      'Count with me: one, two, three, four, five, six, seven, eight, nine, ten!',
      'Countdown for the launch call: nine, eight, seven, six, five, four, three, two, one, liftoff',
      'Phone: one two three four five six seven eight nine zero',
      'Rate each call from one to five: five four five three four five five',
      'call me on five five five, one two three four',
      'I have two, maybe three. Four if one of them is five minutes late, six or seven at most.',
      'Oh, one two three four five six seven eight',
      'The one-two punch, the three-four time, five-six players: all in one, two, three takes.',
    ])
      expect(values(text), text).toEqual([]);
    expect(readNumberWords('Nothing to read here, one or two words.')).toBeUndefined();
  });

  it('maps a finding back over the words when other readings come before it', () => {
    // a full-width address before the number: the view reads it at the same length
    const text = `ｊａｎｅ＠ａｃｍｅ.ｃｏｍ or ${inWords('212 555 0182')} (cell)`;
    expect(values(text)).toEqual([
      ['EMAIL', 'ｊａｎｅ＠ａｃｍｅ.ｃｏｍ'],
      ['PHONE', inWords('212 555 0182')],
    ]);
  });
});

describe('a run of number words at the end of a stream', () => {
  it('starts where the run starts, the word being written included', () => {
    expect(numberWordsAtEnd('call me on five five five, one two thr')).toBe('call me on '.length);
    expect(numberWordsAtEnd('call me on five five five, ')).toBe('call me on '.length);
    expect(numberWordsAtEnd('call me on 555 one')).toBe('call me on '.length);
    expect(numberWordsAtEnd('call me on double ')).toBe('call me on '.length);
  });

  it('holds a number read in words while the words after it, which may decide it, arrive; and its plus', () => {
    const text = 'Sure: +four four two oh seven nine four six oh nine five eight (mob';
    expect(numberWordsHeldFrom(text, 96)).toBe('Sure: '.length);
    expect(numberWordsHeldFrom(`${text}ile) and then a long while of prose after it.`, 16)).toBeUndefined();
  });

  it('holds nothing after prose, a lone number group or a word no digit word starts with', () => {
    expect(numberWordsAtEnd('Sure, here it is')).toBeUndefined();
    expect(numberWordsAtEnd('version 4.2 ')).toBeUndefined();
    expect(numberWordsAtEnd('one two three, done')).toBeUndefined();
    expect(numberWordsAtEnd('')).toBeUndefined();
  });
});
