/**
 * Tool-call arguments are judged as JSON (json-text.ts): escapes read as what they stand for, a
 * credential with its key beside it, and every change leaves arguments that still parse.
 */
import { describe, expect, it } from 'vitest';
import { guardrailPolicySchema, type GuardrailPolicyInput } from '../../guardrails/engine/policy.js';
import { JsonTextReader, readJsonText } from './json-text.js';
import { RequestGuard } from './request-guard.js';
import { requestSlots } from './request-slots.js';
import { responseTextSlots } from './response-slots.js';
import type { JsonObject } from './text-slots.js';

// Built at run time so that no scanner mistakes this file for a leak.
const PASSWORD = ['Xk9f', 'L2mQ', '8vR4', 'tZ7w'].join('');
const CARD = ['4111', '1111', '1111', '1111'].join('');

const REDACT_PII: GuardrailPolicyInput = { pii: { actions: { EMAIL: 'redact', PHONE: 'redact', CREDIT_CARD: 'redact', SSN: 'redact' } } };

function guardWith(policy: GuardrailPolicyInput): RequestGuard {
  return new RequestGuard({ policy: guardrailPolicySchema.parse(policy), customRules: [], version: '1.0' }, (v) => `h(${v.length})`);
}

/** A chat request whose assistant turn called a tool with `args` (a JSON text). */
function chatWithCall(args: string): JsonObject {
  return {
    model: 'm',
    messages: [
      { role: 'user', content: 'book it' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'book', arguments: args } }] },
    ],
  };
}

const argumentsOf = (body: JsonObject): string =>
  ((body.messages as JsonObject[])[1]!.tool_calls as { function: { arguments: string } }[])[0]!.function.arguments;

describe('tool-call arguments judged as JSON', () => {
  it('reads an escape as the character it stands for: "\\nbob@…" is bob, and the arguments still parse', async () => {
    const guard = guardWith(REDACT_PII);
    const body = chatWithCall(JSON.stringify({ note: 'line one\nbob@example.com', phone: 'call\t+1 415 555 0132' }));
    const { blocked, changed } = await guard.judge(requestSlots('openai-chat', body), 'input');
    expect(blocked).toBeUndefined();
    expect(changed).toBe(true);
    expect(JSON.parse(argumentsOf(body))).toEqual({ note: 'line one\n[EMAIL_1]', phone: 'call\t[PHONE_1]' });
    // The events point into the arguments as they were sent, at the value only.
    const email = guard.events.find((e) => e.rule === 'EMAIL')!;
    expect(JSON.stringify({ note: 'line one\nbob@example.com' }).slice(email.start, email.end)).toBe('bob@example.com');
  });

  it('reads \\u escapes (ASCII-only JSON) and restores a placeholder as escaped string content', async () => {
    const guard = guardWith({ pii: { actions: { EMAIL: 'redact' }, reversible: true } });
    const asciiOnly = '{"to":"Ren\\u00e9e <renee.b@example.org>","cc":"\\u00e9l\\u00e8ve@example.org"}';
    const request = chatWithCall(asciiOnly);
    await guard.judge(requestSlots('openai-chat', request), 'input');
    expect(JSON.parse(argumentsOf(request))).toEqual({ to: 'Renée <[EMAIL_1]>', cc: expect.not.stringContaining('example.org') as string });

    // The model calls a tool with the placeholder; the client gets the original back, escaped.
    const answer: JsonObject = {
      choices: [
        {
          index: 0,
          message: { role: 'assistant', tool_calls: [{ id: 'c2', function: { name: 'send', arguments: '{"to":"[EMAIL_1]"}' } }] },
        },
      ],
    };
    await guard.judge(responseTextSlots('openai-chat', answer), 'output');
    const call = ((answer.choices as JsonObject[])[0]!.message as { tool_calls: { function: { arguments: string } }[] }).tool_calls[0]!;
    expect(JSON.parse(call.function.arguments)).toEqual({ to: 'renee.b@example.org' });
  });

  it("keeps a credential's key beside it: an Anthropic tool_use input is judged whole and stays an object", async () => {
    const guard = guardWith({ secrets: { output: 'redact' } });
    const answer: JsonObject = {
      content: [
        { type: 'text', text: 'Saving the settings.' },
        { type: 'tool_use', id: 't1', name: 'save', input: { service: { user: 'svc', password: PASSWORD }, retries: 3 } },
      ],
    };
    const { blocked } = await guard.judge(responseTextSlots('anthropic-messages', answer), 'output');
    expect(blocked).toBeUndefined();
    expect((answer.content as JsonObject[])[1]!.input).toEqual({ service: { user: 'svc', password: '[SECRET_1]' }, retries: 3 });
    expect(guard.events).toEqual([expect.objectContaining({ rule: 'generic-password', location: 'content[1].input' })]);
  });

  it('blocks rather than breaking the arguments when a value to replace is a JSON number', async () => {
    const guard = guardWith(REDACT_PII);
    const body = chatWithCall(`{"card": ${CARD}, "note": "ok"}`);
    const { blocked } = await guard.judge(requestSlots('openai-chat', body), 'input');
    expect(blocked).toMatchObject({ rule: 'CREDIT_CARD', action: 'block', location: 'messages[1].tool_calls[0].function.arguments' });
    expect(JSON.stringify(guard.events)).not.toContain(CARD);
    // The same number in a string is simply redacted.
    const quoted = chatWithCall(`{"card": "${CARD}"}`);
    expect((await guardWith(REDACT_PII).judge(requestSlots('openai-chat', quoted), 'input')).blocked).toBeUndefined();
    expect(JSON.parse(argumentsOf(quoted))).toEqual({ card: '[CREDIT_CARD_1]' });
  });

  it('judges arguments that are not JSON as plain text', async () => {
    const guard = guardWith(REDACT_PII);
    const body = chatWithCall('{"to": "bob@example.com", ');
    await guard.judge(requestSlots('openai-chat', body), 'input');
    expect(argumentsOf(body)).toBe('{"to": "[EMAIL_1]", ');
  });

  // Random arguments mixing values with quotes, backslashes, line breaks and non-ASCII letters,
  // written both as JavaScript writes JSON and ASCII-only (some with @ and / escaped too):
  // whatever is masked or redacted, the result parses and holds no e-mail address it was given.
  it.each(['mask', 'redact'] as const)('always leaves arguments that parse (%s, random texts)', async (action) => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const pieces = ['"', '\\', '\n', '\t', 'é', '€', '😀', ' ', 'word', ':', '=', '/', '\u2028', "'"];
    // An address always ends before a letter could run on into its domain (two addresses written
    // together are one text to the detector, in JSON or not).
    const ends = ['"', '\\', '\n', '\t', ' ', ':', '/', '\u2028'];
    for (let round = 0; round < 200; round += 1) {
      const locals = [`ann${round}x`, `bo.b${round}`];
      const value = () =>
        Array.from({ length: 1 + random(6) }, () =>
          random(3) === 0 ? `${locals[random(2)]!}@example.com${ends[random(ends.length)]!}` : pieces[random(pieces.length)]!,
        ).join('');
      const args = { a: value(), list: [value(), { b: value() }], [value()]: value() };
      let text = JSON.stringify(args);
      if (round % 2 === 1)
        text = text.replace(/[^\x20-\x7e]/gu, (c) =>
          c
            .split('')
            .map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}`)
            .join(''),
        );
      // Every fourth round also writes each @ and / escaped (as PHP writes slashes).
      if (round % 4 === 3) text = text.replaceAll('@', '\\u0040').replaceAll('/', '\\/');
      const body = chatWithCall(text);
      const { blocked } = await guardWith({ pii: { actions: { EMAIL: action } } }).judge(requestSlots('openai-chat', body), 'input');
      expect(blocked).toBeUndefined();
      const judged = argumentsOf(body);
      expect(() => JSON.parse(judged) as unknown, text).not.toThrow();
      for (const local of locals) expect(JSON.stringify(JSON.parse(judged)), text).not.toContain(`${local}@`);
    }
  });

  it('masks the decoded value and writes what it keeps escaped: a mask never keeps half an escape sequence', async () => {
    // Content `xy\"abc`: the value is xy"abc, and a mask keeps its last four characters, "abc.
    const text = '{"k":"xy\\"abc"}';
    const reader = readJsonText(text)!;
    expect(reader.decode(6, 13)).toBe('xy"abc');
    const body = chatWithCall('{"ssn":"536\\u002d22\\u002d1847","to":"ann\\u0040example.org"}');
    await guardWith({ pii: { actions: { SSN: 'mask', EMAIL: 'mask' } } }).judge(requestSlots('openai-chat', body), 'input');
    expect(JSON.parse(argumentsOf(body))).toEqual({ ssn: '*******1847', to: '***********.org' });
  });

  it('reads a value written with escapes as the value: an address with \\u0040, a PHP URL with \\/ slashes', async () => {
    const escaped = '{"note":"write to ann\\u0040example.org","dsn":"postgres:\\/\\/app:' + PASSWORD + '@db.internal:5432\\/prod"}';
    expect(JSON.parse(escaped)).toEqual({ note: 'write to ann@example.org', dsn: `postgres://app:${PASSWORD}@db.internal:5432/prod` });
    // The secret blocks the request (the default for secrets in requests) …
    const blocking = guardWith(REDACT_PII);
    const { blocked } = await blocking.judge(requestSlots('openai-chat', chatWithCall(escaped)), 'input');
    expect(blocked?.detector).toBe('secret');
    // … and with secrets redacted, both values are replaced and the arguments still parse.
    const values: string[] = [];
    const guard = new RequestGuard(
      { policy: guardrailPolicySchema.parse({ ...REDACT_PII, secrets: { input: 'redact' } }), customRules: [], version: '1.0' },
      (value) => {
        values.push(value);
        return `h(${value.length})`;
      },
    );
    const body = chatWithCall(escaped);
    expect((await guard.judge(requestSlots('openai-chat', body), 'input')).blocked).toBeUndefined();
    expect(JSON.parse(argumentsOf(body))).toEqual({ note: 'write to [EMAIL_1]', dsn: 'postgres://app:[SECRET_1]@db.internal:5432/prod' });
    // The event points at the escaped text as sent; the value hashed is the decoded address.
    const email = guard.events.find((e) => e.rule === 'EMAIL')!;
    expect(escaped.slice(email.start, email.end)).toBe('ann\\u0040example.org');
    expect(values).toContain('ann@example.org');
    expect(values.some((value) => value.includes('\\'))).toBe(false);
  });

  it('numbers an escaped value as the same value unescaped, and restores the original decoded', async () => {
    const guard = guardWith({ pii: { actions: { EMAIL: 'redact' }, reversible: true } });
    const body: JsonObject = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Look up ann@example.org' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'find', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: '{"owner":"ann\\u0040example.org","since":2019}' },
      ],
    };
    await guard.judge(requestSlots('openai-chat', body), 'input');
    const messages = body.messages as { content: string }[];
    expect(messages[0]!.content).toBe('Look up [EMAIL_1]');
    expect(JSON.parse(messages[2]!.content)).toEqual({ owner: '[EMAIL_1]', since: 2019 });
    const answer: JsonObject = { choices: [{ index: 0, message: { role: 'assistant', content: 'The owner is [EMAIL_1].' } }] };
    await guard.judge(responseTextSlots('openai-chat', answer), 'output');
    expect(((answer.choices as JsonObject[])[0]!.message as { content: string }).content).toBe('The owner is ann@example.org.');
  });

  it('reads a streamed text the way it reads it whole, wherever the chunks are cut', () => {
    const reader = new JsonTextReader();
    const text = '{"a":"caf\\u00e9 \\"q\\"","b":[1,"x\\ny"]}';
    for (const piece of text.match(/.{1,3}/gs)!) reader.append(piece);
    expect(reader.view(0, text.length)).toBe(readJsonText(text)!.view(0, text.length));
    expect(reader.view(0, text.length)).toBe('{"a":"caf_____é _"q_"","b":[1,"x \ny"]}');
    expect(reader.decoded(0, text.length).text).toBe('{"a":"café "q"","b":[1,"x\ny"]}');
    // Cut inside an escape, the view reads the cut part as the same-length view does.
    expect(reader.decoded(text.indexOf('\\u00e9') + 2, text.indexOf(' \\"q')).text).toBe('___é');
    // Cut inside "\u00e9": the cut moves back to the escape's start.
    const at = text.indexOf('\\u00e9') + 3;
    expect(reader.safeCut(at)).toBe(at - 3);
  });

  it('releases compact arguments value by value: JSON punctuation ends a word as a space does', () => {
    const text = '{"city":"Paris","unit":"c"}';
    expect(readJsonText(text)!.breaks(0, text.length)).toBe('  city   Paris   unit   c  ');
    const stream = guardWith({}).argumentsStream('x');
    const sent = text.match(/.{1,4}/gs)!.map((piece) => stream.push(piece));
    sent.push(stream.end());
    expect(sent.join('')).toBe(text);
    // Sent as it came, a value behind, not held whole until the call ended.
    expect(sent.filter((piece) => piece !== '').length).toBeGreaterThan(3);
  });

  it('never releases part of an escaped value before the rest arrives, wherever the stream is cut', async () => {
    const text = '{"note":"write to ann\\u0040example.org or call\\u0020+1 415\\u0020555 0132","x":1}';
    const policy: GuardrailPolicyInput = { pii: { actions: { EMAIL: 'redact', PHONE: 'mask' } } };
    const whole = chatWithCall(text);
    await guardWith(policy).judge(requestSlots('openai-chat', whole), 'output');
    expect(JSON.parse(argumentsOf(whole))).toEqual({ note: 'write to [EMAIL_1] or call ***********0132', x: 1 });
    for (let cut = 1; cut < text.length; cut += 1) {
      const stream = guardWith(policy).argumentsStream('x');
      const streamed = stream.push(text.slice(0, cut)) + stream.push(text.slice(cut)) + stream.end();
      expect(streamed, `cut at ${cut}`).toBe(argumentsOf(whole));
    }
  });

  // A tool that writes files takes their content in base64, wrapped as `base64` writes it: in the
  // JSON text each line break is the escape "\\n", two characters, or "\\r\\n", four (a Windows tool).
  it.each([
    ['\n', 'LF'],
    ['\r\n', 'CRLF'],
  ])('never releases the first lines of a wrapped base64 run with a key across a line break (%j, %s)', async (lineBreak) => {
    const token = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';
    // the token's bytes (168–194) straddle the third line's end (171), past the 256-character window
    const env = `APP=${'x'.repeat(150)}\nGITLAB_TOKEN=${token}\nRETRIES=3\nREGION=eu-west-1\n`;
    const wrapped = Buffer.from(env)
      .toString('base64')
      .match(/.{1,76}/g)!
      .join(lineBreak);
    const text = JSON.stringify({ path: '.env', content_base64: wrapped });
    const policy: GuardrailPolicyInput = { secrets: { output: 'redact' } };
    const whole = chatWithCall(text);
    await guardWith(policy).judge(requestSlots('openai-chat', whole), 'output');
    expect(JSON.parse(argumentsOf(whole))).toEqual({ path: '.env', content_base64: '[SECRET_1]' });
    for (const size of [1, 3, 7, 16]) {
      const stream = guardWith(policy).argumentsStream('x');
      const streamed =
        text
          .match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!
          .map((piece) => stream.push(piece))
          .join('') + stream.end();
      expect(streamed, `chunks of ${size}`).toBe(argumentsOf(whole));
    }
  });

  // "Write the token to the file one character a line": each break the escape "\\n" in the JSON text.
  it('never releases a piece of a key spelt one character a line', async () => {
    const token = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';
    for (const lineBreak of ['\n', '\r\n']) {
      const text = JSON.stringify({ path: 'note.txt', content: `token:${lineBreak}${[...token].join(lineBreak)}${lineBreak}end` });
      const policy: GuardrailPolicyInput = { secrets: { output: 'redact' } };
      const whole = chatWithCall(text);
      await guardWith(policy).judge(requestSlots('openai-chat', whole), 'output');
      expect(JSON.parse(argumentsOf(whole))).toEqual({ path: 'note.txt', content: `token:${lineBreak}[SECRET_1]${lineBreak}end` });
      for (const size of [1, 3, 7, 16]) {
        const stream = guardWith(policy).argumentsStream('x');
        const pieces = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g'))!.map((piece) => stream.push(piece));
        expect(pieces.join('') + stream.end(), `chunks of ${size}`).toBe(argumentsOf(whole));
      }
    }
  });

  // An escape is six characters (twelve for a mathematical digit's pair): a card number in
  // escaped full-width digits is 99 characters of text, longer than a value-like token was held.
  it('holds a value written in long escapes until it is whole: full-width and mathematical digits', async () => {
    // every UTF-16 unit as \uXXXX, as an ASCII-only JSON writer puts it
    const escaped = (s: string) =>
      Array.from({ length: s.length }, (_, i) => `\\u${s.charCodeAt(i).toString(16).padStart(4, '0')}`).join('');
    const fullWidthCard = escaped('４１１１ １１１１ １１１１ １１１１');
    const boldPhone = `+${escaped('𝟒𝟒')} ${escaped('𝟐𝟎')} ${escaped('𝟕𝟗𝟒𝟔')} ${escaped('𝟎𝟗𝟓𝟖')}`;
    const text = `{"card":"${fullWidthCard}","note":"call ${boldPhone} today"}`;
    const policy: GuardrailPolicyInput = { pii: { actions: { PHONE: 'redact', CREDIT_CARD: 'redact' } } };
    const whole = chatWithCall(text);
    await guardWith(policy).judge(requestSlots('openai-chat', whole), 'output');
    expect(JSON.parse(argumentsOf(whole))).toEqual({ card: '[CREDIT_CARD_1]', note: 'call [PHONE_1] today' });
    for (const size of [1, 2, 3, 5, 7, 11, 13]) {
      const stream = guardWith(policy).argumentsStream('x');
      let streamed = '';
      for (let at = 0; at < text.length; at += size) streamed += stream.push(text.slice(at, at + size));
      streamed += stream.end();
      expect(streamed, `chunks of ${size}`).toBe(argumentsOf(whole));
    }
  });

  it('judges streamed arguments as it judges them whole, in any chunking', async () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const words = ['Reach', 'me at', 'or', '\n', '"quoted"', 'é', 'ok,', 'thanks'];
    for (let round = 0; round < 60; round += 1) {
      const value = () =>
        Array.from({ length: 4 + random(30) }, () =>
          random(5) === 0 ? `user${random(9)}@example.com` : words[random(words.length)]!,
        ).join(' ');
      // Every third round writes each @ escaped, as ASCII-only writers of JSON may.
      const plain = JSON.stringify({ to: value(), body: value(), cc: [value(), value()] });
      const text = round % 3 === 2 ? plain.replaceAll('@', '\\u0040') : plain;
      const policy: GuardrailPolicyInput = { pii: { actions: { EMAIL: round % 2 === 0 ? 'redact' : 'mask' } } };
      const slot = chatWithCall(text);
      await guardWith(policy).judge(requestSlots('openai-chat', slot), 'output');
      const stream = guardWith(policy).argumentsStream('x');
      let streamed = '';
      for (let at = 0; at < text.length;) {
        const size = 1 + random(24);
        streamed += stream.push(text.slice(at, at + size));
        at += size;
      }
      streamed += stream.end();
      expect(streamed, text).toBe(argumentsOf(slot));
    }
  });
});
