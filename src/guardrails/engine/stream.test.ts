/**
 * The stream guard against the whole-text guardrails: whatever way a response is cut into chunks,
 * the client receives what applying the policy to the whole response gives, with the same
 * findings; and prose is released a word behind the provider, not a window behind.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { customRuleSchema } from '../custom/rules.js';
import { applyGuardrails, type ApplyContext } from './apply.js';
import type { GuardrailPolicyInput } from './policy.js';
import { createStreamGuard, DEFAULT_STREAM_WINDOW, type StreamTextShape } from './stream.js';
import { seededRandom } from '../seeded-random.js';
import { contextFor } from './test-context.js';

const hash = (value: string) => createHmac('sha256', 'org-key-for-tests').update(value).digest('base64url');

const outputContext = (input: GuardrailPolicyInput): ApplyContext => contextFor(input, 'output', hash);

// Built at run time so that no scanner mistakes this file for a leak.
const CARD = ['4111', '1111', '1111', '1111'].join(' ');
const SSN = ['123', '45', '6780'].join('-');
const GITLAB_TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';
const GITHUB_TOKEN = 'ghp_' + 'Xb7kQ2mZr9LpW4nT6vYc1HsJ8dFg3Ka5Rt0E';
const ANTHROPIC_KEY = 'sk-ant-api03-' + 'Xb7kQ2mZr9LpW4nT6vYc1HsJ8dFg3Ka5Rt0E'.repeat(3).slice(0, 93) + 'AA';
const PEM = [
  ['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' '),
  ...Array.from({ length: 6 }, (_, i) => `MIIEpAIBAAKCAQEA${String(i).padStart(2, '0')}x7Qk3LmZr9PwT2nV6yB1cHdJ8gF4sK0aR5uE`),
  ['-----END', 'RSA PRIVATE KEY-----'].join(' '),
].join('\n');

const NNBSP = '\u202f';
const DIGIT_WORDS = ['oh', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
/** ASCII written in Unicode tag characters (U+E0020–E007E). */
const inTags = (ascii: string) => [...ascii].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');

const REDACT_ALL_PII = {
  pii: { actions: { EMAIL: 'redact', PHONE: 'redact', SSN: 'mask', CREDIT_CARD: 'redact', IP_ADDRESS: 'redact' } },
} as const;
const CODENAME_RULE = customRuleSchema.parse({
  name: 'codename',
  kind: 'keywords',
  terms: ['project falcon'],
  action: 'redact',
  scope: 'both',
});

const RESPONSES: readonly { name: string; text: string; policy: GuardrailPolicyInput }[] = [
  { name: 'prose', text: 'Sure! Here is a short answer, written plainly, with nothing sensitive in it at all.', policy: REDACT_ALL_PII },
  { name: 'a token in a config line', text: `Set this in the config: token = "${GITLAB_TOKEN}" and restart it.`, policy: {} },
  { name: 'a token at the very end', text: `The token is ${GITHUB_TOKEN}`, policy: {} },
  {
    name: 'a token split into joined string literals',
    text: `const token =\n  "${GITHUB_TOKEN.slice(0, 14)}" +\n  "${GITHUB_TOKEN.slice(14)}";\nThen restart.`,
    policy: { secrets: { output: 'redact' } },
  },
  {
    name: 'a token split into joined literals with comments between them',
    text: `token = (\n    "${GITHUB_TOKEN.slice(0, 14)}"  # first half /* not closed\n    '${GITHUB_TOKEN.slice(14, 30)}' /* the rest */ + "${GITHUB_TOKEN.slice(30)}"\n)\nThen restart.`,
    policy: { secrets: { output: 'redact' } },
  },
  {
    // the head is a finished word when its line breaks: held while the lines after may go on with it
    name: 'a long key broken over lines at a wrap’s width',
    text: `Use this key:\n${ANTHROPIC_KEY.match(/.{1,40}/g)!.join('\n')}\nand keep it safe. Or this one: ${ANTHROPIC_KEY.slice(0, 90)}\n${ANTHROPIC_KEY.slice(90)}\nDone.`,
    policy: { secrets: { output: 'redact' } },
  },
  {
    name: 'a long key wrapped in a quoted reply',
    text: `Thanks! See below.\n\n> Use this key:\n${ANTHROPIC_KEY.match(/.{1,40}/g)!
      .map((line) => `> ${line}`)
      .join('\n')}\n> and keep it safe.\n>> old: ${ANTHROPIC_KEY.slice(0, 90)}\n>> ${ANTHROPIC_KEY.slice(90)}\nDone.`,
    policy: { secrets: { output: 'redact' } },
  },
  {
    // its prefix is at its end: known only when the last characters arrive
    name: 'keys written backwards and in rot13',
    text: `Reversed: ${[...GITHUB_TOKEN].reverse().join('')} and in rot13: ${GITLAB_TOKEN.replace(/[a-z]/gi, (c) => String.fromCharCode((c <= 'Z' ? 65 : 97) + ((c.toUpperCase().charCodeAt(0) - 65 + 13) % 26)))}; that is all.`,
    policy: { secrets: { output: 'redact' } },
  },
  {
    // a list given to a join call, a line each: held until the list closes
    name: 'a long key split into a list joined by a call',
    text: `token = "".join([\n${ANTHROPIC_KEY.match(/.{1,30}/g)!
      .map((part) => `    "${part}",`)
      .join('\n')}\n])\nDone.`,
    policy: { secrets: { output: 'redact' } },
  },
  {
    // longer than the 96 characters value-like words are held for: held as a chain until it ends
    name: 'a long key split into joined literals, a line each',
    text: `const key =\n${ANTHROPIC_KEY.match(/.{1,30}/g)!
      .map((part) => `      "${part}"`)
      .join(' +\n')};\nDone.`,
    policy: { secrets: { output: 'redact' } },
  },
  {
    name: 'a token with Cyrillic and Greek look-alike letters in it',
    text: `Ваш токен: ${GITHUB_TOKEN.replace('X', '\u0425').replace('a', '\u0430').replace('T', '\u03a4')} — храните его.`,
    policy: { secrets: { output: 'redact' } },
  },
  {
    name: 'an email and an international phone number',
    text: `Write to ann@example.com or call +1 (415) 555-0132 during office hours; or carl@example.net.`,
    policy: REDACT_ALL_PII,
  },
  { name: 'a card and an SSN', text: `Card ${CARD} is on file, with SSN ${SSN}. Nothing else.`, policy: REDACT_ALL_PII },
  {
    // the local part is a finished word, plain prose, before its "[at]" arrives
    name: 'addresses written for people, their at a word of its own',
    text: 'Write to jane.doe [at] acme [dot] com or to ann (at) example.org; bob {at} mail [dot] co [dot] uk is out.',
    policy: REDACT_ALL_PII,
  },
  {
    name: 'a phone number named by a word after it',
    text: 'Reach me on 020 7946 0958 (mobile), any time after nine.',
    policy: REDACT_ALL_PII,
  },
  // The cue word is plain prose, sent before the value arrives: the next scan must still see it.
  {
    name: 'a phone number after its label',
    text: 'For support, use the number below.\nPhone: 020 7946 0958. Thanks!',
    policy: REDACT_ALL_PII,
  },
  {
    name: 'a password after its label',
    text: 'Your new credentials are ready.\nyour password: Zq8vR2mK9xLp4Tn7Wc (change it soon)',
    policy: {},
  },
  { name: 'an IP address', text: 'The server at 203.0.113.54 answered; 2001:db8::8a2e:370:7334 did not.', policy: REDACT_ALL_PII },
  { name: 'a PEM private key', text: `Here is the key:\n${PEM}\nKeep it safe.`, policy: {} },
  // A run longer than the window: its start went out before the end that holds the key arrived.
  {
    name: 'a base64 config longer than the window, its token near the end',
    text: `Here is the config, base64: ${Buffer.from(`${'retries = 3\nregion = "eu-west-1"\n'.repeat(8)}token = "${GITLAB_TOKEN}"\n`).toString('base64')} — decode it to use.`,
    policy: {},
  },
  {
    name: 'a wrapped base64 env file, its token across a line break',
    text: `Run \`base64 .env\`:\n${Buffer.from(`APP=${'x'.repeat(20)}\nGITLAB_TOKEN=${GITLAB_TOKEN}\nRETRIES=3\n`)
      .toString('base64')
      .match(/.{1,76}/g)!
      .join('\n')}\nThat is all.`,
    policy: {},
  },
  // Invisible on screen, read by models; the chunkings below also cut between a pair's two halves.
  {
    name: 'a token and an address written in tag characters',
    text: `All set.${inTags(` token = "${GITLAB_TOKEN}", mail ann@example.com`)} Bye.`,
    policy: REDACT_ALL_PII,
  },
  // Digits of other scripts and styled digits: the guard must hold them as it holds ASCII digits.
  {
    name: 'a phone number in Persian digits and a card in full-width and bold digits',
    text: 'تماس: +۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹ لطفا. Card ４１１１ １１１１ １１１１ １１１１ or 𝟒𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏 𝟏𝟏𝟏𝟏, thanks.',
    policy: REDACT_ALL_PII,
  },
  // "List the token's characters": held until the list ends, never sent an item at a time.
  {
    name: 'a token as a list of its characters, quoted and bare',
    text: `>>> list(token)\n[${[...GITLAB_TOKEN].map((c) => `'${c}'`).join(', ')}]\nOr: ${[...GITHUB_TOKEN].join(', ')}. Done.`,
    policy: { secrets: { output: 'redact' } },
  },
  // A hold that starts inside a finding: the digit group "34" of the escaped address starts a
  // number in words. The address went out in two parts, each redacted with a placeholder of its own.
  {
    name: 'an escaped address whose last digits start a number in words',
    text: '2%30%33%2E%30%2E3%2E%35%34\none two three-four five-six seven eig%200958. Thanks! ＋４４ ２０ ７９４６ ０９５８',
    policy: REDACT_ALL_PII,
  },
  // Chinese is written without spaces: the number is the end of a token that began long before it.
  {
    name: 'a phone number after a long sentence of Chinese',
    text: `您好，这是您要的信息。我们已经核对了账户的全部资料，确认无误。为了方便您以后查询，请把下面的号码保存在安全的地方，不要告诉任何人，也不要发到群里。另外，如果您有任何问题，随时联系我们的客服团队。请记下：+44 20 7946 0958。谢谢！`,
    policy: REDACT_ALL_PII,
  },
  // Thai, Lao, Khmer and Myanmar are written without spaces between words too.
  {
    name: 'a phone number after a long sentence of Thai',
    text: `สวัสดีครับนี่คือข้อมูลที่คุณขอเราได้ตรวจสอบข้อมูลบัญชีทั้งหมดแล้วและยืนยันว่าถูกต้องเพื่อความสะดวกในการค้นหาครั้งต่อไปโปรดเก็บหมายเลขด้านล่างไว้ในที่ปลอดภัยโทร+66 81 234 5678ครับ`,
    policy: REDACT_ALL_PII,
  },
  {
    name: 'a phone number after a long sentence of Khmer',
    text: `សួស្តីនេះគឺជាព័ត៌មានដែលអ្នកបានស្នើសុំយើងបានពិនិត្យព័ត៌មានគណនីទាំងអស់ហើយសូមរក្សាលេខខាងក្រោមនេះនៅកន្លែងសុវត្ថិភាពទូរស័ព្ទ+855 12 345 678បាទ`,
    policy: REDACT_ALL_PII,
  },
  // "Write the number out in words": held until the words end, never sent a word at a time.
  {
    name: 'a phone, an SSN and a card written in words',
    text:
      'Call her on two one two, five five five, oh one eight two (cell). SSN five two three four five six seven eight nine; ' +
      'card four one one one one one one one one one one one one one one one. That is one of two.',
    policy: REDACT_ALL_PII,
  },
  {
    name: 'a custom term of two words',
    text: 'We call it Project Falcon internally; project falcon ships in May.',
    policy: { customRules: [CODENAME_RULE] },
  },
  {
    name: 'everything in one long answer',
    text:
      'Intro paragraph that goes on for a while so that the window matters. '.repeat(4) +
      `Mail ann@example.com, card ${CARD}, token = "${GITLAB_TOKEN}".\n${PEM}\nCall 020 7946 0958 (mobile). Bye.`,
    policy: { ...REDACT_ALL_PII, customRules: [CODENAME_RULE] },
  },
];

/** Deterministic chunk sizes: a fixed size, or a pseudo-random 1–9 sequence from a seed. */
function chunkings(text: string): string[][] {
  const fixed = [1, 2, 3, 4, 7, 16].map((size) => text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? []);
  const random = [11, 29, 97].map((seed) => {
    const chunks: string[] = [];
    let state = seed;
    for (let at = 0; at < text.length;) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      const size = 1 + (state % 9);
      chunks.push(text.slice(at, at + size));
      at += size;
    }
    return chunks;
  });
  return [...fixed, ...random];
}

function stream(chunks: readonly string[], context: ApplyContext) {
  const guard = createStreamGuard(context);
  const emitted: string[] = [];
  const events = [];
  for (const step of [...chunks.map((chunk) => () => guard.push(chunk)), () => guard.end()].map((next) => next())) {
    events.push(...step.events);
    if (step.blocked) return { blocked: step.blocked, out: emitted.join(''), emitted, events };
    emitted.push(step.emit);
  }
  return { blocked: undefined, out: emitted.join(''), emitted, events };
}

describe('createStreamGuard against the whole text', () => {
  for (const { name, text, policy } of RESPONSES)
    it(`sends what the whole text would give, however it is chunked: ${name}`, () => {
      const whole = applyGuardrails(text, outputContext(policy));
      // Each sensitive answer has findings to get right (the prose has none).
      expect(whole.events.length > 0).toBe(name !== 'prose');
      for (const chunks of chunkings(text)) {
        const streamed = stream(chunks, outputContext(policy));
        const sizes = chunks.slice(0, 5).map((c) => c.length);
        expect(streamed.blocked, `chunks ${sizes.join(',')}…`).toEqual(whole.blocked);
        if (whole.blocked) continue;
        expect(streamed.out, `chunks ${sizes.join(',')}…`).toBe(whole.text);
        const spans = (list: readonly { type: string; start: number; end: number }[]) =>
          list.map((e) => `${e.type}@${e.start}-${e.end}`).sort();
        expect(spans(streamed.events), `chunks ${sizes.join(',')}…`).toEqual(spans(whole.events));
      }
    });

  // Values in every form the detectors read (full-width, Persian and bold digits, narrow no-break
  // spaces, en dashes, tag characters, HTML references, base64, percent and string escapes) strung together with prose of several scripts, chunked at
  // random: the fixed list above missed full-width card numbers going out a group at a time.
  it('sends what the whole text would give for random mixes of values written every way', () => {
    const random = seededRandom(7);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const digits = (zero: number) => (s: string) => s.replace(/\d/g, (d) => String.fromCodePoint(zero + Number(d)));
    const forms = [
      (s: string) => s,
      (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
      digits(0x06f0),
      digits(0x1d7ce),
      (s: string) => s.replaceAll(' ', NNBSP),
      (s: string) => s.replaceAll('-', '\u2013'),
      inTags,
      // HTML character references, as a page or escaped markup writes them
      (s: string) => s.replace(/[@. -]/g, (c) => `&#${c.charCodeAt(0)};`),
      // base64, which a model decodes as easily
      (s: string) => Buffer.from(s).toString('base64'),
      // percent-escapes (every character, and as encodeURIComponent writes them) and string escapes
      (s: string) => [...s].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join(''),
      (s: string) => encodeURIComponent(s),
      (s: string) => s.replace(/[@. -]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
      // spelt out a character at a time
      (s: string) => [...s].join(' '),
      // a list of its characters, as Python's list() prints it
      (s: string) => `[${[...s].map((c) => `'${c}'`).join(', ')}]`,
      // each digit a word ("five five five, oh one…")
      (s: string) => s.replace(/\d+/g, (group) => [...group].map((d) => DIGIT_WORDS[Number(d)]).join(' ')),
      // split into string literals joined around a comment
      (s: string) => `"${s.slice(0, s.length >> 1)}" + // rest\n  "${s.slice(s.length >> 1)}"`,
      (s: string) => `'${s.slice(0, s.length >> 1)}' /* rest */ '${s.slice(s.length >> 1)}'`,
      // broken over two lines, as a mail client wraps a long word
      (s: string) => `${s.slice(0, s.length >> 1)}\n${s.slice(s.length >> 1)}`,
      // backwards, as "print it reversed" has it written
      (s: string) => [...s].reverse().join(''),
      // Cyrillic look-alike letters
      (s: string) => s.replace(/a/g, '\u0430').replace(/o/g, '\u043e').replace(/e/g, '\u0435'),
    ];
    const values = [
      CARD,
      '4111-1111-1111-1111',
      SSN,
      '+44 20 7946 0958',
      '+1 (415) 555-0132',
      'jane.doe@acme-corp.com',
      'jane.doe [at] acme [dot] com',
      '203.0.113.54',
      GITLAB_TOKEN,
    ];
    const prose = [
      'Sure, here it is: ',
      ' and ',
      '. Thanks! ',
      '\n',
      ' — ',
      '，请记下：',
      ' لطفا ',
      ' (mobile) ',
      ' card ',
      ' phone: ',
      ' вот он: ',
      'เราได้ตรวจสอบข้อมูลบัญชีทั้งหมดแล้วและยืนยันว่าถูกต้องเพื่อความสะดวกในการค้นหาครั้งต่อไปโปรดเก็บหมายเลขด้านล่างไว้ในที่ปลอดภัยโทร',
    ];
    const policy = { ...REDACT_ALL_PII, secrets: { output: 'redact' as const } };
    for (let round = 0; round < 150; round++) {
      let text = '';
      for (let i = 0; i < 6; i++) text += pick(prose) + pick(forms)(pick(values));
      const whole = applyGuardrails(text, outputContext(policy));
      const chunks: string[] = [];
      for (let at = 0; at < text.length;) {
        const size = 1 + Math.floor(random() * 9);
        chunks.push(text.slice(at, at + size));
        at += size;
      }
      const streamed = stream(chunks, outputContext(policy));
      expect(streamed.blocked, text).toEqual(whole.blocked);
      if (!whole.blocked) expect(streamed.out, text).toBe(whole.text);
    }
  });

  it('blocks as the whole text would, and sends nothing of the blocked value', () => {
    const text = `Deploy with token = "${GITLAB_TOKEN}" now, please.`;
    const policy = { secrets: { output: 'block' as const } };
    for (const chunks of chunkings(text)) {
      const streamed = stream(chunks, outputContext(policy));
      expect(streamed.blocked).toMatchObject({ detector: 'secret', action: 'block' });
      expect(streamed.out).not.toContain(GITLAB_TOKEN.slice(0, 8));
    }
  });
});

describe('createStreamGuard latency', () => {
  it('releases prose one word behind the provider, two where addresses are changed, not a window behind', () => {
    const text = 'The quick brown fox jumps over the lazy dog and keeps running across the field until dusk. ';
    const chunks = text.match(/[\s\S]{1,4}/g)!;
    const lags = (policy: GuardrailPolicyInput) => {
      const { emitted } = stream(chunks, outputContext(policy));
      let sent = 0;
      const lag = emitted.slice(0, -1).map((piece, i) => chunks.slice(0, i + 1).join('').length - (sent += piece.length));
      return { emitted, lag: Math.max(...lag) };
    };
    // Addresses logged (the default): token by token, after the third chunk ("The quick br") "The
    // quick " is out, never more held than the word being written.
    const logged = lags({ pii: { actions: { ...REDACT_ALL_PII.pii.actions, EMAIL: 'log' } } });
    expect(logged.emitted.slice(0, 3).join('')).toBe('The quick ');
    expect(logged.lag).toBeLessThan(12);
    // Addresses redacted: the last finished word too, which may be the local part of "jane [at] …".
    const redacted = lags(REDACT_ALL_PII);
    expect(redacted.emitted.slice(0, 3).join('')).toBe('The ');
    expect(redacted.lag).toBeLessThan(20);
  });

  it('holds a value-like token until text after it could name it, then releases it judged', () => {
    const chunks = ['Reach me on 020 ', '7946 0958', ' (mob', 'ile), any time', ' after nine.'];
    const { emitted, out } = stream(chunks, outputContext(REDACT_ALL_PII));
    expect(emitted.slice(0, 2).join('')).toBe('Reach me on ');
    expect(emitted.join('')).not.toContain('7946');
    expect(out).toBe('Reach me on [PHONE_1] (mobile), any time after nine.');
  });

  it('holds at most the window of a long token, as before', () => {
    const blob = 'a.b'.repeat(DEFAULT_STREAM_WINDOW);
    const { emitted } = stream(blob.match(/[\s\S]{1,8}/g)!, outputContext({}));
    const beforeEnd = emitted.slice(0, -1).join('');
    expect(beforeEnd.length).toBe(blob.length - DEFAULT_STREAM_WINDOW);
  });

  it('holds a base64 run being written until it ends, up to 8 KB, then a window behind', () => {
    const run = Buffer.from('retries = 3; '.repeat(300)).toString('base64'); // 5,200 characters
    const { emitted } = stream(`config: ${run} (decode it)`.match(/[\s\S]{1,8}/g)!, outputContext({}));
    const upToRunEnd = emitted.slice(0, Math.ceil(`config: ${run}`.length / 8)).join('');
    expect(upToRunEnd).toBe('config: ');
    expect(emitted.join('')).toBe(`config: ${run} (decode it)`);

    const longer = 'QUJD'.repeat(4000); // 16,000 characters: past the limit
    const chunks = longer.match(/[\s\S]{1,8}/g)!;
    const beforeEnd = stream(chunks, outputContext({})).emitted.slice(0, -1).join('');
    expect(beforeEnd.length).toBe(longer.length - DEFAULT_STREAM_WINDOW);
  });

  // "Print the token with a space between each character": the first thing an injected order asks.
  it('holds a value spelt out a character at a time until it ends, and never sends a piece of it', () => {
    for (const separator of [' ', '\n', '\r\n']) {
      const spelt = [...GITLAB_TOKEN].join(separator);
      const text = `Sure:${separator}${spelt}${separator}— anything else?`;
      for (const chunks of chunkings(text)) {
        const { out } = stream(chunks, outputContext({ secrets: { output: 'redact' } }));
        expect(out, JSON.stringify(separator)).toBe(`Sure:${separator}[SECRET_1]${separator}— anything else?`);
      }
    }
    // prose with single letters in it still goes out a word behind; a lone letter at the end is held for the next word
    expect(stream(['Plan ', 'A or ', 'B is ', 'fine'], outputContext({})).emitted).toEqual(['Plan ', 'A or ', 'B is ', '', 'fine']);
    expect(stream(['Plan ', 'A ', 'or ', 'B'], outputContext({})).emitted).toEqual(['Plan ', '', 'A or ', '', 'B']);
  });

  it('ends when a finding began in text it already released (a shape whose cut points and detectors disagree)', () => {
    // A shape whose cut view breaks the address where the detectors read it whole: the first chunk
    // releases "ann", and the address found next begins before what is held. This looped forever.
    const shape: StreamTextShape = {
      text: '',
      append(chunk) {
        this.text += chunk;
      },
      view(from, to) {
        return this.text.slice(from, to).replace('ann', 'an ');
      },
      breaks(from, to) {
        return this.view(from, to);
      },
      decoded(from, to) {
        return { text: this.text.slice(from, to), toStream: (found) => found };
      },
      codecFrom(origin) {
        return { decode: (start, end) => this.text.slice(origin + start, origin + end), encode: (value) => value };
      },
      fit: (found) => found,
      safeCut: (at) => at,
      encode: (value) => value,
    } as StreamTextShape & { text: string };
    const guard = createStreamGuard(outputContext(REDACT_ALL_PII), DEFAULT_STREAM_WINDOW, shape);
    const first = guard.push('write to ann');
    const second = guard.push('@example.org and more');
    const last = guard.end();
    const sent = [first, second, last].map((step) => (step.blocked ? '' : step.emit)).join('');
    expect(sent).not.toContain('@example.org');
    expect(last.events.map((event) => event.type)).toContain('EMAIL');
  });
});
