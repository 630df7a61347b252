import { describe, expect, it } from 'vitest';
import { customDetector } from './custom/detect.js';
import { customRuleSchema, compileRule } from './custom/rules.js';
import { foundValues, judgeInput } from './engine/test-context.js';
import { joinedChainAtEnd, joinedLiterals } from './joined-literals.js';

// Built at run time so that no scanner mistakes this file for a leak.
const TOKEN = 'ghp_' + 'R8xK2mQ9vL3tY7wP0zN5bJ1cF6hD4gS2aE8x';
const values = foundValues;

describe('string literals joined in code', () => {
  it('reads a key split into joined literals, in each language’s way of joining them', () => {
    const [a, b, c] = [TOKEN.slice(0, 10), TOKEN.slice(10, 25), TOKEN.slice(25)];
    const cases: [string, string][] = [
      [`const token = "${a}" + "${b}" + "${c}";`, `${a}" + "${b}" + "${c}`],
      [`String token = "${a}" +\n    "${b}${c}";`, `${a}" +\n    "${b}${c}`],
      [`$token = '${a}' . '${b}${c}';`, `${a}' . '${b}${c}`],
      [`local token = "${a}${b}" .. "${c}"`, `${a}${b}" .. "${c}`],
      [`SELECT '${a}' || '${b}${c}' AS token;`, `${a}' || '${b}${c}`],
      [`token = "${a}" & "${b}${c}"`, `${a}" & "${b}${c}`],
      [`TOKEN = (\n    "${a}${b}"\n    "${c}"\n)`, `${a}${b}"\n    "${c}`],
      [`const token = \`${a}\` + '${b}' + "${c}";`, `${a}\` + '${b}' + "${c}`],
    ];
    for (const [text, span] of cases)
      expect(values(text), text).toEqual([
        ['github-pat', span],
        ['API_KEY', span],
      ]);
    expect(values('const to = "jane.doe" + "@acme-corp.com";')).toEqual([['EMAIL', 'jane.doe" + "@acme-corp.com']]);
  });

  it('reads a chain with comments between its literals', () => {
    const [a, b] = [TOKEN.slice(0, 12), TOKEN.slice(12)];
    const cases: [string, string][] = [
      [`const token = "${a}" /* part two */ + "${b}";`, `${a}" /* part two */ + "${b}`],
      [`const token = "${a}" + // the rest, below\n    "${b}";`, `${a}" + // the rest, below\n    "${b}`],
      [`token = ('${a}'  # first half\n         '${b}')`, `${a}'  # first half\n         '${b}`],
      [`SELECT '${a}' -- split for the scanner\n  || '${b}' AS token;`, `${a}' -- split for the scanner\n  || '${b}`],
      [`token = "".join([\n  "${a}",  # one\n  "${b}",  # two\n])`, `${a}",  # one\n  "${b}`],
    ];
    for (const [text, span] of cases)
      expect(values(text), text).toEqual([
        ['github-pat', span],
        ['API_KEY', span],
      ]);
    // a comment that never closes comments out what follows it; a closed one after it still reads as a space
    expect(values(`const token = "${a}" /* a /* b */ + "${b}";`).map(([type]) => type)).toEqual(['github-pat', 'API_KEY']);
    expect(values(`const token = "${a}" /* a + "${b}";`)).toEqual([]);
    // a line comment that the line's end does not close holds what follows it
    for (const text of [`const a = "${a}" + // "${b}"`, `x = "${a}" # and "${b}"`, `"${a}" /* "${b}" */`])
      expect(values(text), text).toEqual([]);
  });

  it('redacts from the value’s first character to its last and hashes it as written whole', () => {
    const text = `const token = "${TOKEN.slice(0, 12)}" + "${TOKEN.slice(12)}";`;
    const outcome = judgeInput(text, { secrets: { input: 'redact' } });
    expect(outcome).toMatchObject({ blocked: undefined, text: 'const token = "[SECRET_1]";' });
    expect(outcome.events.map((e) => e.valueHash)).toEqual([TOKEN]);
    expect(judgeInput(text, {}).blocked).toMatchObject({ type: 'github-pat' });
  });

  it('reads the chain even where a rule found one of its literals on its own, and reports that value once', () => {
    const [a, b] = [TOKEN.slice(0, 20), TOKEN.slice(20)];
    const text = `headers.set("Authorization: Bearer ${a}" + "${b}");`;
    expect(values(text)).toEqual([
      ['authorization-header', a],
      ['API_KEY', a],
      ['github-pat', `${a}" + "${b}`],
      ['API_KEY', `${a}" + "${b}`],
    ]);
    // a whole value inside one literal is found over the text, not again over the chain
    expect(values(`const s = "mail jane@acme-corp.com" + " today";`)).toEqual([['EMAIL', 'jane@acme-corp.com']]);
  });

  it('joins nothing else: shell arguments, prose in quotes, short or single literals', () => {
    const [a, b] = [TOKEN.slice(0, 20), TOKEN.slice(20)];
    const types = (text: string) => values(text).map(([type]) => type);
    for (const text of [
      // a shell command's arguments are literals side by side on one line
      `curl -H "Authorization: Bearer ${a}" "${b}"`,
      `const a = "${a}"; // and "${b}"`,
      // a line continued with a backslash: shell arguments again
      `run "${a}" \\\n  "${b}"`,
    ])
      expect(types(text), text).not.toContain('github-pat');
    for (const text of [`She said "I'm fine," and 'it's' + 'ok' - "why" "not"`, `const a = "ab" + "cd";`, `"4111" "1111" "1111" "1111"`])
      expect(values(text), text).toEqual([]);
    expect(joinedLiterals(`"it's" + "fine"`).map((r) => r.decoded)).toEqual(["it'sfine"]);
    expect(joinedLiterals(`a "b" c "d" + x`)).toEqual([]);
  });

  it('reads a key split into a list of literals given to a join call, and .concat() calls', () => {
    const [a, b, c] = [TOKEN.slice(0, 10), TOKEN.slice(10, 25), TOKEN.slice(25)];
    const cases: [string, string][] = [
      [`token = "".join(["${a}", "${b}", "${c}"])`, `${a}", "${b}", "${c}`],
      [`token = ''.join((\n    '${a}',\n    '${b}${c}',\n))`, `${a}',\n    '${b}${c}`],
      [`const token = ["${a}", "${b}", "${c}"].join("");`, `${a}", "${b}", "${c}`],
      [`String token = String.join("", "${a}", "${b}", "${c}");`, `${a}", "${b}", "${c}`],
      [`token := strings.Join([]string{"${a}", "${b}${c}"}, "")`, `${a}", "${b}${c}`],
      [`var t = String.Join("", new[] { "${a}", "${b}${c}" });`, `${a}", "${b}${c}`],
      [`$token = implode('', ['${a}', '${b}${c}']);`, `${a}', '${b}${c}`],
      [`SELECT CONCAT('${a}', '${b}', '${c}') AS token;`, `${a}', '${b}', '${c}`],
      [`var token = string.Concat("${a}", "${b}${c}");`, `${a}", "${b}${c}`],
      [`const token = "${a}".concat("${b}").concat("${c}");`, `${a}".concat("${b}").concat("${c}`],
      [`const token = "${a}".concat("${b}", "${c}");`, `${a}".concat("${b}", "${c}`],
    ];
    for (const [text, span] of cases)
      expect(values(text), text).toEqual([
        ['github-pat', span],
        ['API_KEY', span],
      ]);
  });

  it('joins no list outside a join call: arguments, arrays, a join of something else', () => {
    const [a, b] = [TOKEN.slice(0, 20), TOKEN.slice(20)];
    for (const text of [
      `send("${a}", "${b}")`,
      `const parts = ["${a}", "${b}"];`,
      `parts = ["${a}", "${b}"]; print(", ".join(names))`,
      `join_us("${a}"); other("${b}")`,
    ])
      expect(values(text), text).toEqual([]);
    expect(values('to = ["jane.doe", "@acme-corp.com"]; cc = ", ".join(to)')).toEqual([]);
  });

  // a stream holds such a chain from its start (stream.test.ts streams one)
  it('knows where a chain that may go on past the end of what has arrived starts', () => {
    const start = 'key = '.length;
    for (const text of [
      'key = "abc" +',
      'key = "abc" +\n  "de',
      'key = "abc"',
      'key = "abc" ',
      "key = 'ab' . 'cd' .",
      'key = "abc"\n  "de',
      'key = "abc".conc',
      'key = "abc".concat("de',
      'key = "abc" + // the rest',
      'key = "abc" /* part',
      'key = "abc" /* part */ +',
      "key = 'abc'  # first half\n  'de",
      // the next literal being written has an escaped quote in it, or ends in a backslash
      'key = "abc" + "d\\"e',
      'key = "abc" + "de\\',
      "key = 'abc' . 'it\\'s",
    ])
      expect(joinedChainAtEnd(text), text).toBe(start);
    // a list in a join call, until it closes
    expect(joinedChainAtEnd('key = "".join(["abc", "de", ')).toBe('key = "".join(['.length);
    expect(joinedChainAtEnd('key = "".join(["abc", "de')).toBe('key = "".join(['.length);
    expect(joinedChainAtEnd('key = "".join(["abc", "de"])')).toBeUndefined();
    expect(joinedChainAtEnd('names = ["abc", "de", ')).toBeUndefined();
    for (const text of ['key = abc', 'key = "abc" and', 'key = "abc" "de', 'key = "abc" + x', 'say "abc" + "de"; done'])
      expect(joinedChainAtEnd(text), text).toBeUndefined();
  });

  it('lets a custom rule find a term split into joined literals', () => {
    const rule = compileRule(
      customRuleSchema.parse({ name: 'codename', kind: 'keywords', terms: ['project falcon'], action: 'block', scope: 'both' }),
    );
    const text = `const name = "project " + "falcon";`;
    expect(customDetector([rule], 'input')(text).map((f) => text.slice(f.start, f.end))).toEqual(['project " + "falcon']);
  });
});
