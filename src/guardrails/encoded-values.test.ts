import { describe, expect, it } from 'vitest';
import { encodedRuns } from './encoded-values.js';
import { judgeInput } from './engine/test-context.js';
import { scanText } from './scan.js';

// Built at run time so that no scanner mistakes this file for a leak.
const TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';
const base64 = (s: string) => Buffer.from(s).toString('base64');
const base64url = (s: string) => Buffer.from(s).toString('base64url');
const found = (text: string) => scanText(text).map((f) => [f.detector, f.type, text.slice(f.start, f.end)]);

describe('values written in base64 or hex', () => {
  it('finds a key, an address and a card inside a base64 run, the finding over the whole run', () => {
    const config = base64(`GITLAB_TOKEN=${TOKEN}\nREGION=eu-west-1\n`);
    expect(found(`Here is the env file, base64: ${config} — deploy it.`)).toEqual([
      ['secret', 'gitlab-token', config],
      ['pii', 'API_KEY', config],
    ]);
    const address = base64url('write to jane.doe@acme-corp.com');
    expect(found(`contact (base64url) ${address}`)).toEqual([['pii', 'EMAIL', address]]);
    const card = base64('4111 1111 1111 1111');
    expect(found(`card ${card}.`)).toEqual([['pii', 'CREDIT_CARD', card]]);
    const hex = Buffer.from(`token=${TOKEN}`).toString('hex');
    expect(found(`hex: ${hex}`)).toEqual([
      ['secret', 'gitlab-token', hex],
      ['pii', 'API_KEY', hex],
    ]);
  });

  it('redacts the run in place, and blocks where the policy blocks secrets', () => {
    const run = base64('jane.doe@acme-corp.com');
    const outcome = judgeInput(`mail ${run} today`, { pii: { actions: { EMAIL: 'redact' } } });
    expect(outcome).toMatchObject({ blocked: undefined, text: 'mail [EMAIL_1] today' });
    const blocked = judgeInput(`token ${base64(TOKEN)}`, {});
    expect(blocked.blocked).toMatchObject({ detector: 'secret', type: 'gitlab-token', action: 'block' });
  });

  // An auditor looks a leaked key up by its hash: written plain or encoded, it is one key.
  it('hashes the value inside the run, as the same value written plainly', () => {
    const plain = judgeInput(`token ${TOKEN}`, { secrets: { input: 'redact' }, pii: { actions: { EMAIL: 'redact' } } });
    const encoded = judgeInput(`token ${base64(`TOKEN=${TOKEN}`)} and ${base64('mail jane.doe@acme-corp.com')}`, {
      secrets: { input: 'redact' },
      pii: { actions: { EMAIL: 'redact' } },
    });
    expect(plain.events.map((e) => e.valueHash)).toEqual([TOKEN]);
    expect(encoded.events.map((e) => [e.type, e.valueHash])).toEqual([
      ['gitlab-token', TOKEN],
      ['EMAIL', 'jane.doe@acme-corp.com'],
    ]);
  });

  // `base64 .env` wraps at 76 characters: a key across the break was in neither line.
  it('reads a wrapped run as one, its value across a line break', () => {
    const env = `APP=${'x'.repeat(20)}\nGITLAB_TOKEN=${TOKEN}\nRETRIES=3\nREGION=eu-west-1\n`;
    const lines = base64(env).match(/.{1,76}/g)!;
    expect(lines.length).toBeGreaterThan(1);
    // the token's bytes (38–64) straddle the first line's 57
    expect(env.indexOf('glpat')).toBeLessThan(57);
    // trailing spaces an editor or a copy from a terminal left before each break too
    for (const eol of ['\n', '\r\n', ' \n', '  \r\n']) {
      const block = lines.join(eol);
      expect(found(`env, base64:${eol}${block}${eol}thanks`)).toEqual([
        ['secret', 'gitlab-token', block],
        ['pii', 'API_KEY', block],
      ]);
    }
    // `xxd -p` writes 60 hex digits a line
    const hexBlock = Buffer.from(`mail ${'x'.repeat(22)} jane.doe@acme-corp.com now`)
      .toString('hex')
      .match(/.{1,60}/g)!
      .join('\n');
    expect(found(hexBlock)).toEqual([['pii', 'EMAIL', hexBlock]]);
  });

  // Encoding twice is the next thing to try once one encoding is read.
  it('reads base64 of base64, three encodings deep, and hashes the value inside', () => {
    const twice = base64(base64(`token=${TOKEN}`));
    expect(found(`config: ${twice}`)).toEqual([
      ['secret', 'gitlab-token', twice],
      ['pii', 'API_KEY', twice],
    ]);
    const thrice = base64(Buffer.from(base64(`mail jane.doe@acme-corp.com`)).toString('hex'));
    expect(found(`x ${thrice}`)).toEqual([['pii', 'EMAIL', thrice]]);
    const outcome = judgeInput(`token ${twice}`, { secrets: { input: 'redact' } });
    expect(outcome.events.map((e) => e.valueHash)).toEqual([TOKEN]);
    // a fourth encoding is not read
    expect(found(`x ${base64(thrice)}`)).toEqual([]);
  });

  it('leaves alone base64 that decodes to binary or to text with no value, and words that happen to be base64', () => {
    const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    for (const text of [
      png,
      `note ${base64('just a sentence with nothing sensitive in it')}`,
      'internationalization and supercalifragilistic words, /usr/local/lib/node_modules/typescript',
      `sha256 ${'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08'} and id 0736f5ef7e88499a80cc90c85d2a5180`,
    ])
      expect(
        found(text).filter(([detector]) => detector !== 'injection'),
        text,
      ).toEqual([]);
  });

  it('leaves a JWT to the secret rule that reads it whole, not to the address in its payload', () => {
    const jwt = [
      base64url('{"alg":"HS256","typ":"JWT"}'),
      base64url('{"sub":"1234567890","email":"jane.doe@acme-corp.com","iat":1516239022}'),
      'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    ].join('.');
    expect(found(`Authorization: Bearer ${jwt}`).map(([, type]) => type)).not.toContain('EMAIL');
  });

  it('finds runs between any separators, and only runs that decode to text', () => {
    const a = base64('alpha@example.org');
    const b = base64url('second value 12345');
    const text = `${a}\n(${b})`;
    expect(encodedRuns(text).map((r) => [text.slice(r.start, r.end), r.decoded])).toEqual([
      [a, 'alpha@example.org'],
      [b, 'second value 12345'],
    ]);
    // a run at the very start and one at the very end, 16 characters each
    const edge = `${base64('abcdefghijkl')} ${base64('mnopqrstuvwx')}`;
    expect(encodedRuns(edge)).toHaveLength(2);
    expect(encodedRuns('a'.repeat(15))).toEqual([]);
  });

  it('reads a run of 14 or 15 characters with its padding: 10 or 11 bytes, an address or an SSN', () => {
    const ssn = base64(['523', '45', '6789'].join('-'));
    const mail = base64('jo@acme.com');
    expect([ssn, mail].map((run) => run.length)).toEqual([16, 16]);
    expect(found(`SSN (base64): ${ssn}`)).toEqual([['pii', 'SSN', ssn]]);
    expect(found(`mail: ${mail}.`)).toEqual([['pii', 'EMAIL', mail]]);
    // wherever the run falls among the positions the scan looks at first
    for (let shift = 0; shift < 16; shift++)
      expect(encodedRuns(`${'x '.repeat(shift)}${mail}`).map((r) => r.decoded)).toEqual(['jo@acme.com']);
    // nine bytes (twelve characters), and fifteen characters with no padding, are not read
    expect(encodedRuns(`${base64('jo@acme.c')} ${mail.slice(0, 15)}`)).toEqual([]);
  });
});
