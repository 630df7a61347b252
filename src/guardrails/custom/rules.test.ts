import { describe, expect, it } from 'vitest';
import { customDetector } from './detect.js';
import { compileRule, customRuleSchema, CustomRuleError, matchRule, type CustomRule } from './rules.js';

const rule = (input: Record<string, unknown>): CustomRule => customRuleSchema.parse({ name: 'r1', action: 'flag', ...input });

describe('custom rules', () => {
  it('matches a regex case-insensitively by default, with JavaScript string offsets (astral characters included)', () => {
    const compiled = compileRule(rule({ kind: 'regex', pattern: 'project\\s+(?:x|y)-\\d{2}' }));
    const text = '😀 about PROJECT x-42 and project y-7';
    expect(matchRule(compiled, text).map(({ start, end }) => text.slice(start, end))).toEqual(['PROJECT x-42']);
    expect(matchRule(compileRule(rule({ kind: 'regex', pattern: 'Project', caseSensitive: true })), 'project Project')).toEqual([
      { start: 8, end: 15 },
    ]);
  });

  it('matches keywords as whole words and blocklist terms anywhere, escaping their characters', () => {
    const keywords = compileRule(rule({ kind: 'keywords', terms: ['pass', 'c++', 'top secret'] }));
    const text = 'password pass C++ is Top Secret';
    expect(matchRule(keywords, text).map(({ start, end }) => text.slice(start, end))).toEqual(['pass', 'Top Secret']);
    const blocklist = compileRule(rule({ kind: 'blocklist', terms: ['pass', 'c++'] }));
    expect(matchRule(blocklist, text).map(({ start, end }) => text.slice(start, end))).toEqual(['pass', 'pass', 'C++']);
  });

  it('catches a term written with a no-break or zero-width space in it, and still matches zero-width characters themselves', () => {
    const detect = customDetector([compileRule(rule({ kind: 'keywords', terms: ['project falcon'] }))], 'input');
    const found = (text: string) => detect(text).map(({ start, end }) => text.slice(start, end));
    expect(found('about project\u00a0falcon today')).toEqual(['project\u00a0falcon']);
    expect(found('about pro\u200bject fal\u00adcon today')).toEqual(['pro\u200bject fal\u00adcon']);
    expect(found('about project falcon today')).toEqual(['project falcon']);
    const invisible = customDetector([compileRule(rule({ kind: 'regex', pattern: '[\\x{200B}-\\x{200D}]' }))], 'input');
    expect(invisible('a\u200bb').map(({ start, end }) => [start, end])).toEqual([[1, 2]]);
  });

  it('catches a term written with Cyrillic or Greek look-alike letters, and leaves words of those scripts alone', () => {
    const detect = customDetector([compileRule(rule({ kind: 'keywords', terms: ['project falcon'] }))], 'input');
    const found = (text: string) => detect(text).map(({ start, end }) => text.slice(start, end));
    // Cyrillic о and а, Greek ο
    expect(found('about pr\u043eject f\u0430lc\u03bfn today')).toEqual(['pr\u043eject f\u0430lc\u03bfn']);
    const cyrillic = customDetector([compileRule(rule({ kind: 'blocklist', terms: ['coco'] }))], 'input');
    expect(cyrillic('\u0441\u043e\u0441\u043e').length).toBe(0);
  });

  it('catches a term written in base64 or hex, the match over the whole run', () => {
    const detect = customDetector([compileRule(rule({ kind: 'keywords', terms: ['project falcon'] }))], 'input');
    const found = (text: string) => detect(text).map(({ start, end }) => text.slice(start, end));
    const encoded = Buffer.from('status of project falcon, phase 2').toString('base64');
    expect(found(`decode this: ${encoded}`)).toEqual([encoded]);
    // what its event hashes: the term, as written plainly
    expect(detect(`decode this: ${encoded}`).map((f) => f.readAs)).toEqual(['project falcon']);
    const hex = Buffer.from('project falcon ships').toString('hex');
    expect(found(`${hex} (hex)`)).toEqual([hex]);
    expect(found(`decode this: ${Buffer.from('status of project eagle, phase 2').toString('base64')}`)).toEqual([]);
    // encoded twice or three times, as deep as the secret and PII detectors read
    const twice = Buffer.from(encoded).toString('base64');
    expect(detect(`decode this: ${twice}`).map((f) => [f.start, f.end, f.readAs])).toEqual([[13, 13 + twice.length, 'project falcon']]);
    const thrice = Buffer.from(Buffer.from(encoded).toString('hex')).toString('base64');
    expect(found(`x ${thrice}`)).toEqual([thrice]);
    expect(found(`x ${Buffer.from(thrice).toString('base64')}`)).toEqual([]);
    // a rule for the other direction reads nothing
    expect(customDetector([compileRule(rule({ kind: 'keywords', terms: ['project falcon'], scope: 'output' }))], 'input')(encoded)).toEqual(
      [],
    );
  });

  it('refuses patterns RE2 cannot run in linear time, empty matches and oversized programs, in words', () => {
    for (const pattern of ['(a)\\1', '(?=secret)', '(?<=x)y', '(unclosed'])
      expect(() => compileRule(rule({ kind: 'regex', pattern })), pattern).toThrow(CustomRuleError);
    expect(() => compileRule(rule({ kind: 'regex', pattern: '(a)\\1' }))).toThrow(/RE2 syntax: no backreferences or lookaround/);
    expect(() => compileRule(rule({ kind: 'regex', pattern: 'x*' }))).toThrow(/matches empty text/);
    expect(() => compileRule(rule({ kind: 'regex', pattern: '(?:[a-z]{1,1000}){1,1000}' }))).toThrow(/not supported: expression too large/);
    const longTerms = Array.from({ length: 400 }, (_, i) => `${String(i).padStart(4, '0')}-${'x'.repeat(80)}`);
    expect(() => compileRule(rule({ kind: 'blocklist', terms: longTerms }))).toThrow(/too complex/);
  });

  it('runs a catastrophic-backtracking pattern over 100k characters in linear time', () => {
    // JavaScript's RegExp needs seconds for this on 30 characters; re2js answers at once.
    const compiled = compileRule(rule({ kind: 'regex', pattern: '(a+)+$' }));
    expect(matchRule(compiled, `${'a'.repeat(100_000)}!`)).toEqual([]);
    expect(matchRule(compiled, 'aaa')).toEqual([{ start: 0, end: 3 }]);
  });

  it('validates the rule shape: pattern xor terms, a usable id, bounded sizes', () => {
    expect(customRuleSchema.safeParse({ name: 'x', kind: 'regex', action: 'block' }).success).toBe(false);
    expect(customRuleSchema.safeParse({ name: 'x', kind: 'keywords', pattern: 'a', action: 'block' }).success).toBe(false);
    expect(customRuleSchema.safeParse({ name: 'Bad Id', kind: 'regex', pattern: 'a', action: 'block' }).success).toBe(false);
    expect(customRuleSchema.safeParse({ name: 'x', kind: 'blocklist', terms: ['a'], caseSensitive: true, action: 'block' }).success).toBe(
      false,
    );
    expect(customRuleSchema.safeParse({ name: 'x', kind: 'keywords', terms: Array(1001).fill('a'), action: 'block' }).success).toBe(false);
    expect(customRuleSchema.safeParse({ name: 'x', kind: 'regex', pattern: 'a', action: 'explode' }).success).toBe(false);
  });

  it('applies only the rules whose scope covers the direction', () => {
    const inputOnly = compileRule(rule({ name: 'in', kind: 'keywords', terms: ['alpha'], scope: 'input' }));
    const outputOnly = compileRule(rule({ name: 'out', kind: 'keywords', terms: ['alpha'], scope: 'output' }));
    const both = compileRule(rule({ name: 'both', kind: 'keywords', terms: ['alpha'] }));
    const types = (direction: 'input' | 'output') => customDetector([inputOnly, outputOnly, both], direction)('alpha').map((f) => f.type);
    expect(types('input')).toEqual(['in', 'both']);
    expect(types('output')).toEqual(['out', 'both']);
  });
});
