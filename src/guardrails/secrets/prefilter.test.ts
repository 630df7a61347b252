/** The keyword scan: every occurrence, any case, never a non-ASCII look-alike of an ASCII keyword. */
import { describe, expect, it } from 'vitest';
import { buildPrefilter } from './prefilter.js';
import type { SecretRule } from './rule.js';

const rule = (id: string, keywords: string[]): SecretRule => ({ id, keywords, pattern: /x/g, confidence: 0.5 });
const prefilter = buildPrefilter([rule('a', ['key', 'keys']), rule('b', ['s.', '-u']), rule('c', ['key'])]);

function hits(text: string): string[] {
  const out: string[] = [];
  prefilter.scan(text, (rules, start, end) => out.push(`${text.slice(start, end)}@${start}:${rules.join(',')}`));
  return out;
}

describe('buildPrefilter', () => {
  it('finds every keyword in any case, overlaps included, in text order', () => {
    expect(hits('KEYS and Key, s.x -U')).toEqual(['KEY@0:0,2', 'KEYS@0:0', 'Key@9:0,2', 's.@14:1', '-U@18:1']);
  });

  it('finds keywords at the very end of the text', () => {
    expect(hits('a key')).toEqual(['key@2:0,2']);
    expect(hits('xs.')).toEqual(['s.@1:1']);
    expect(hits('s')).toEqual([]);
  });

  it('ignores characters whose low byte spells a keyword', () => {
    // U+016B, U+0165, U+0179 and U+0173 end in the bytes of "k", "e", "y" and "s".
    expect(hits('\u016bey k\u0165y ke\u0179 \u0173.')).toEqual([]);
    expect(hits('\u016bkey')).toEqual(['key@1:0,2']);
  });

  it('finds keywords of other scripts, in any case, in text order among the ASCII ones', () => {
    const wide = buildPrefilter([rule('a', ['key']), rule('b', ['密码', 'пароль']), rule('c', ['пароль'])]);
    const found = (text: string) => {
      const out: string[] = [];
      wide.scan(text, (rules, start, end) => out.push(`${text.slice(start, end)}@${start}:${rules.join(',')}`));
      return out;
    };
    expect(found('key 密码 ПАРОЛЬ key пароль')).toEqual(['key@0:0', '密码@4:1', 'ПАРОЛЬ@7:1,2', 'key@14:0', 'пароль@18:1,2']);
    // at the very start and the very end, and in a text of one keyword
    expect(found('密码')).toEqual(['密码@0:1']);
    expect(found('x пароль')).toEqual(['пароль@2:1,2']);
    expect(found('no such words, ascii only: key')).toEqual(['key@27:0']);
  });

  it('scans texts larger than its reusable buffer, and smaller ones after them', () => {
    const big = `${'x'.repeat(70_000)}key`;
    expect(hits(big)).toEqual([`key@70000:0,2`]);
    expect(hits('key')).toEqual(['key@0:0,2']);
  });
});
