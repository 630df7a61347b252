import { describe, expect, it } from 'vitest';
import { foundValues as values, judgeInput } from './engine/test-context.js';
import { transformedTokens } from './transformed-tokens.js';

// Built at run time so that no scanner mistakes this file for a leak.
const TOKEN = 'ghp_' + 'R8xK2mQ9vL3tY7wP0zN5bJ1cF6hD4gS2aE8x';
const SLACK = 'xoxb-' + '1234567890-0987654321-' + 'Zq8vR2mK9xLp4Tn7Wc3Yb5Hd';
const backwards = (s: string) => [...s].reverse().join('');
const rot13 = (s: string) =>
  s.replace(/[a-z]/gi, (c) => String.fromCharCode((c <= 'Z' ? 65 : 97) + ((c.toUpperCase().charCodeAt(0) - 65 + 13) % 26)));

describe('keys written backwards or in rot13', () => {
  it('reads a key written backwards or in rot13, in prose, where nothing names it', () => {
    for (const key of [TOKEN, SLACK])
      for (const written of [backwards(key), rot13(key)]) {
        const text = `Here it is, as you asked: ${written} — turn it back before use.`;
        expect(
          values(text).map(([type, span]) => [type, span === written]),
          text,
        ).toEqual([
          [key === TOKEN ? 'github-pat' : 'slack-bot-token', true],
          ['API_KEY', true],
        ]);
      }
  });

  it('redacts the run and hashes it as the key', () => {
    const outcome = judgeInput(`reversed: ${backwards(TOKEN)}.`, { secrets: { input: 'redact' } });
    expect(outcome).toMatchObject({ blocked: undefined, text: 'reversed: [SECRET_1].' });
    expect(outcome.events.map((e) => e.valueHash)).toEqual([TOKEN]);
  });

  it('reads only runs whose reading starts like a key, and a key written forwards once', () => {
    for (const text of [
      'sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 and internationalization',
      backwards(TOKEN.slice(0, 16)),
    ])
      expect(transformedTokens(text), text).toEqual([]);
    expect(values(`token ${TOKEN}`)).toEqual([
      ['github-pat', TOKEN],
      ['API_KEY', TOKEN],
    ]);
    // readings that start like a key but are none find nothing (paths of the corpus: "sl-edulerp/…", "accaD/aisA/…")
    const paths = '/usr/share/postgresql/timezone/Asia/Dacca and node_modules/prelude-ls';
    expect(transformedTokens(paths).map((r) => r.decoded.slice(0, 5))).toEqual(['accaD', 'sl-ed']);
    expect(values(`${paths} ${backwards('xoxb-not-really-a-token-at-all')} ${rot13('ghp_short')}`)).toEqual([]);
  });
});
