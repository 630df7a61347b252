import { describe, expect, it } from 'vitest';
import { foundValues as values, judgeInput } from './engine/test-context.js';
import { wrappedTokenAtEnd, wrappedTokens } from './wrapped-tokens.js';

// Built at run time so that no scanner mistakes this file for a leak.
const TOKEN = 'ghp_' + 'R8xK2mQ9vL3tY7wP0zN5bJ1cF6hD4gS2aE8x';
const ANTHROPIC_KEY = 'sk-ant-api03-' + 'Xb7kQ2mZr9LpW4nT6vYc1HsJ8dFg3Ka5Rt0E'.repeat(3).slice(0, 93) + 'AA';
/** `text` broken into lines of `width` characters, as a mail client or `fold -w` breaks a long word. */
const wrap = (text: string, width: number): string => text.match(new RegExp(`.{1,${width}}`, 'g'))!.join('\n');

describe('tokens broken over lines', () => {
  it('reads a key whose line broke, in two pieces or at a wrap’s width over several', () => {
    const [a, b] = [TOKEN.slice(0, 22), TOKEN.slice(22)];
    const cases: [string, string][] = [
      [`here is my token:\n${a}\n${b}\nthanks`, `${a}\n${b}`],
      [`token: ${a}\n${b} (the one from CI)`, `${a}\n${b}`],
      // Windows line ends and spaces an editor left
      [`token: ${a}  \r\n${b}\r\nthanks`, `${a}  \r\n${b}`],
    ];
    for (const [text, span] of cases)
      expect(values(text), text).toEqual([
        ['github-pat', span],
        ['API_KEY', span],
      ]);
    const folded = wrap(ANTHROPIC_KEY, 40);
    expect(folded.split('\n')).toHaveLength(3);
    expect(values(`Use this key:\n${folded}\nand keep it safe.`)).toEqual([
      ['anthropic-api-key', folded],
      ['API_KEY', folded],
    ]);
  });

  // a mail client quotes each line of the message replied to, after it was wrapped
  it('reads a key wrapped in a quoted reply, after each line’s quote marks', () => {
    const folded = wrap(ANTHROPIC_KEY, 40);
    for (const marks of ['> ', '>> ', '> > ', '>']) {
      const quoted = folded.replace(/^/gm, marks);
      const text = `Thanks, see below.\n\n${marks}Use this key:\n${quoted}\n${marks}and keep it safe.`;
      expect(values(text), marks).toEqual([
        ['anthropic-api-key', quoted.slice(marks.length)],
        ['API_KEY', quoted.slice(marks.length)],
      ]);
    }
    // the next line must carry the same marks: a reply's own line after a quoted one is no wrap
    const [a, b] = [TOKEN.slice(0, 22), TOKEN.slice(22)];
    expect(values(`> token: ${a}\n${b}`)).toEqual([]);
    expect(values(`token: ${a}\n> ${b}`)).toEqual([]);
  });

  it('redacts from the key’s first character to its last and hashes it as the key', () => {
    const text = `token: ${TOKEN.slice(0, 20)}\n${TOKEN.slice(20)}\nthanks`;
    const outcome = judgeInput(text, { secrets: { input: 'redact' } });
    expect(outcome).toMatchObject({ blocked: undefined, text: 'token: [SECRET_1]\nthanks' });
    expect(outcome.events.map((e) => e.valueHash)).toEqual([TOKEN]);
  });

  it('joins no other lines: indented ones, words, a whole key and the word after it', () => {
    const [a, b] = [TOKEN.slice(0, 22), TOKEN.slice(22)];
    for (const text of [
      // code's next line is indented
      `token = ${a}\n    ${b}`,
      // a head is a token with a letter and a digit, eight characters at least
      `see ghp_abcdefgh\nijklmnopqrstuvwxyzABCDEFGHIJKL`,
      `ghp_R8x\n${TOKEN.slice(7)}`,
    ])
      expect(values(text), text).toEqual([]);
    // a whole key at a line's end is found as itself, once, not joined to the word below it
    expect(values(`${TOKEN}\nthanks`)).toEqual([
      ['github-pat', TOKEN],
      ['API_KEY', TOKEN],
    ]);
    // a narrower line is a wrap's last: "thanks" below it is a word, not more of the key
    expect(wrappedTokens(`${a}\n${b}\nthanks`).map((r) => r.decoded)).toEqual([TOKEN, `${b}thanks`]);
    expect(wrappedTokens('version 1.2.3\nabc')).toEqual([]);
    // a run of full lines longer than any key is a blob (base64 data): its characters are not read as one
    const blob = Array.from(
      { length: 12 },
      (_, i) => `MIIEpAIBAAKCAQEA${String(i).padStart(2, '0')}x7Qk3LmZr9PwT2nV6yB1cHdJ8gF4sK0aR5uE`,
    ).join('\n');
    expect(wrappedTokens(`${blob}\nend`)).toEqual([]);
    expect(wrappedTokenAtEnd(`${blob}\nMII`)).toBeUndefined();
    expect(wrappedTokens(blob.slice(0, 160)).map((r) => r.decoded.length)).toEqual([158]);
  });

  // a stream holds such a token from its head (stream.test.ts streams one)
  it('knows where a token whose line broke, and which may go on, starts', () => {
    const head = 'token: '.length;
    for (const text of [
      'token: ghp_R8xK2mQ9\n',
      'token: ghp_R8xK2mQ9\nvL3t',
      'token: ghp_R8xK2mQ9 \r\nvL3t',
      'token: ghp_R8xK2mQ9\nvL3tY7wP0zN5bJ1cF6h\nD',
    ])
      expect(wrappedTokenAtEnd(text), text).toBe(head);
    // a narrower line is a wrap's last: a head of its own for the line after it
    expect(wrappedTokenAtEnd('token: ghp_R8xK2mQ9\nvL3tY7wP0z\nN5b')).toBe('token: ghp_R8xK2mQ9\n'.length);
    // a whole line as wide as the wrap goes on from the head above it
    expect(wrappedTokenAtEnd('key:\nsk-ant-api03-Xb7kQ\n2mZr9LpW4nT6vYc1HsJ8\ndF')).toBe('key:\n'.length);
    // in a quoted reply, after the quote marks (perhaps still being written)
    for (const end of ['>', '> ', '> dF'])
      expect(wrappedTokenAtEnd(`> key:\n> sk-ant-api03-Xb7kQ\n> 2mZr9LpW4nT6vYc1HsJ8\n${end}`), end).toBe('> key:\n> '.length);
    for (const text of [
      'token: ghp_R8xK2mQ9',
      'token: ghp_R8xK2mQ9\nvL3t and',
      'token: ghp_R8xK2mQ9\n  vL3t',
      'see the docs\nand',
      'no digits here\n',
    ])
      expect(wrappedTokenAtEnd(text), text).toBeUndefined();
  });
});
