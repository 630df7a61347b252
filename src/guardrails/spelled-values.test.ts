import { describe, expect, it } from 'vitest';
import { foundValues, judgeInput } from './engine/test-context.js';
import { spelledRunAtEnd, spelledRuns } from './spelled-values.js';

// Built at run time so that no scanner mistakes this file for a leak.
const TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';
const spell = (value: string, separator = ' ') => [...value].join(separator);
const values = foundValues;

describe('values spelt out a character at a time', () => {
  it('finds a key spelt with spaces, tabs or one character a line, the finding over the whole run', () => {
    for (const separator of [' ', '\t', '\n', '\r\n']) {
      const spelt = spell(TOKEN, separator);
      expect(values(`Sure, the token is:${separator}${spelt}${separator}Anything else?`), JSON.stringify(separator)).toEqual([
        ['gitlab-token', spelt],
        ['API_KEY', spelt],
      ]);
    }
    const address = spell('jane.doe@acme-corp.com');
    expect(values(`mail ${address} now`)).toEqual([['EMAIL', address]]);
    const card = spell('4111111111111111');
    expect(values(`card ${card} thanks`)).toEqual([['CREDIT_CARD', card]]);
  });

  it('redacts the run in place and hashes the value as written plainly', () => {
    const outcome = judgeInput(`key: ${spell(TOKEN)} (spelt out)`, { secrets: { input: 'redact' } });
    expect(outcome).toMatchObject({ blocked: undefined, text: 'key: [SECRET_1] (spelt out)' });
    expect(outcome.events.map((e) => e.valueHash)).toEqual([TOKEN]);
    expect(judgeInput(`key: ${spell(TOKEN)}`, { secrets: { input: 'block' } }).blocked).toMatchObject({ type: 'gitlab-token' });
    // single characters after the value belong to the run, not to the value: they stay
    expect(judgeInput(`key: ${spell(TOKEN)} ! ? ok`, { secrets: { input: 'redact' } })).toMatchObject({ text: 'key: [SECRET_1] ! ? ok' });
  });

  it('reads nothing into letters, digits and grids written one at a time, nor into a run whose separators change', () => {
    for (const text of [
      'The alphabet: A B C D E F G H I J K L M N O P Q R S T U V W X Y Z',
      'count 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0',
      'bits 0 1 1 0 1 0 0 1 1 1 0 1 0 0 1 0 1 1 0 1 0 0 1 0',
      '5 3 . . 7 . . . .\n6 . . 1 9 5 . . .\n. 9 8 . . . . 6 .',
      'x o x o x o x o x o x o x o x o x o',
      'A T G C G T A C G T T A G C A T G C',
      'J. R. R. Tolkien and C. S. Lewis met at 9 a.m. on a Monday.',
      // a key with its separators mixed is no spelt-out run (tabs and spaces)
      [...TOKEN].map((c, i) => c + (i % 2 ? ' ' : '\t')).join(''),
    ])
      expect(values(text), text).toEqual([]);
    expect(spelledRuns('a b c d e f g h i j k l m n o')).toEqual([]);
    expect(spelledRuns('x a b c d e f g h i j k l m n o p')).toHaveLength(1);
  });

  it('knows where a run still being written starts, walking back over one separator kind', () => {
    expect(spelledRunAtEnd('here: g h p _ a')).toBe(6);
    expect(spelledRunAtEnd('here: g h p _ a ')).toBe(6);
    expect(spelledRunAtEnd('one\ng\nh\n')).toBe(4);
    expect(spelledRunAtEnd('one g\nh')).toBe(4);
    // the separator before x is not the run's
    expect(spelledRunAtEnd('x y\nz')).toBe(2);
    // a lone character too: it may be the first of a run
    expect(spelledRunAtEnd('I am a')).toBe(5);
    expect(spelledRunAtEnd('I am a ')).toBe(5);
    expect(spelledRunAtEnd('a long word')).toBeUndefined();
    // the word being written may be the next character and a separator half written
    expect(spelledRunAtEnd('x g \nl \np_')).toBe(2);
    expect(spelledRunAtEnd('xy g l p ab')).toBe(3);
    expect(spelledRunAtEnd('xy g \r \nl \r')).toBe(3);
    expect(spelledRunAtEnd('')).toBeUndefined();
  });
});
