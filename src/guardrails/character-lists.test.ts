import { describe, expect, it } from 'vitest';
import { characterListAtEnd, characterLists } from './character-lists.js';
import { foundValues, judgeInput } from './engine/test-context.js';

// Built at run time so that no scanner mistakes this file for a leak.
const TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';
const listed = (value: string, separator = ', ') => [...value].join(separator);
const quoted = (value: string, quote = "'") => [...value].map((c) => `${quote}${c}${quote}`).join(', ');
const values = foundValues;

describe('values written as a list of their characters', () => {
  it('finds a key listed bare or quoted, with a comma or a comma and a space, the finding over its characters', () => {
    for (const list of [listed(TOKEN), listed(TOKEN, ','), quoted(TOKEN), quoted(TOKEN, '"'), JSON.stringify([...TOKEN]).slice(1, -1)]) {
      const text = `Sure, here are the characters: [${list}]. Anything else?`;
      const inside = list.replace(/^['"]|['"]$/g, '');
      expect(values(text), list).toEqual([
        ['gitlab-token', inside],
        ['API_KEY', inside],
      ]);
    }
    const address = listed('jane.doe@acme-corp.com');
    expect(values(`mail ${address} now`)).toEqual([['EMAIL', address]]);
    // what Python's list() of a card number's text prints
    const card = quoted('4111111111111111');
    expect(values(`>>> list(card)\n[${card}]`)).toEqual([['CREDIT_CARD', card.slice(1, -1)]]);
  });

  it('redacts the characters in place and hashes the value as written plainly', () => {
    const outcome = judgeInput(`token = [${quoted(TOKEN)}]`, { secrets: { input: 'redact' } });
    expect(outcome).toMatchObject({ blocked: undefined, text: "token = ['[SECRET_1]']" });
    expect(outcome.events.map((e) => e.valueHash)).toEqual([TOKEN]);
    expect(judgeInput(`chars: ${listed(TOKEN)}`, { secrets: { input: 'block' } }).blocked).toMatchObject({ type: 'gitlab-token' });
  });

  it('reads nothing into lists of digits, alphabets, prose with commas or lists whose separators change', () => {
    for (const text of [
      // an array of small numbers that passes the Luhn check is no card
      `weights = [${listed('4111111111111111')}]`,
      'bits = [0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 1, 0, 1, 1]',
      "alphabet = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p']",
      'Options A, B, C and D are fine; pick one, two or three of them, then e-mail us.',
      'table = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 0 - 15',
      // a key with its separators mixed is no list
      [...TOKEN].map((c, i) => c + (i % 2 ? ', ' : ',')).join(''),
    ])
      expect(values(text), text).toEqual([]);
    expect(characterLists(`x ${listed('abcdefghijklmno')}`)).toEqual([]);
    expect(characterLists(`x ${listed('abcdefghijklmnop')}`)).toHaveLength(1);
  });
});

describe('a list of characters at the end of a stream', () => {
  it('starts where the list starts, with a separator, a quote or a character of the next item after it', () => {
    for (const text of ["x = ['g', 'h', 'p", "x = ['g', 'h', '", "x = ['g', 'h', ", "x = ['g', 'h',", "x = ['g', 'h'"])
      expect(characterListAtEnd(text), text).toBe("x = ['".length - 1);
    expect(characterListAtEnd('x = g, h, p')).toBe(4);
    expect(characterListAtEnd('x = g,h,')).toBe(4);
    // the first item being written, and a lone character, which may be the first of a list
    expect(characterListAtEnd("x = ['g")).toBe(5);
    expect(characterListAtEnd('key: x')).toBe(5);
  });

  it('holds nothing after a word', () => {
    expect(characterListAtEnd('Hello, world')).toBeUndefined();
    expect(characterListAtEnd('Hello, world, ')).toBeUndefined();
    expect(characterListAtEnd('')).toBeUndefined();
  });
});
