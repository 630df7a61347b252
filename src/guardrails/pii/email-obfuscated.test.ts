import { describe, expect, it } from 'vitest';
import { judgeInput } from '../engine/test-context.js';
import { detectPii } from './detect.js';

const emails = (text: string) =>
  detectPii(text, [])
    .filter((f) => f.type === 'EMAIL')
    .map((f) => text.slice(f.start, f.end));

describe('addresses written to get past scrapers', () => {
  it('finds an address with a bracketed "at", and bracketed or plain dots', () => {
    expect(emails('Contact: jane.doe [at] acme [dot] com for details')).toEqual(['jane.doe [at] acme [dot] com']);
    expect(emails('jane(at)acme(dot)com')).toEqual(['jane(at)acme(dot)com']);
    expect(emails('mail jane {at} acme.co.uk.')).toEqual(['jane {at} acme.co.uk']);
    expect(emails('JANE [AT] ACME [DOT] COM')).toEqual(['JANE [AT] ACME [DOT] COM']);
    expect(emails('write to jane[at]acme.com, thanks')).toEqual(['jane[at]acme.com']);
    expect(emails('a-b_c.d+e [at] sub.acme-corp [dot] io!')).toEqual(['a-b_c.d+e [at] sub.acme-corp [dot] io']);
  });

  it('is redacted like any address, and its event hashes as the address it stands for (so does a URL-encoded one)', () => {
    const outcome = judgeInput('Write to jane [at] acme [dot] com, jane%40acme.com or jane@acme.com.', {
      pii: { actions: { EMAIL: 'redact' } },
    });
    expect(outcome).toMatchObject({ blocked: undefined, text: 'Write to [EMAIL_1], [EMAIL_2] or [EMAIL_3].' });
    expect(outcome.events.map((e) => e.valueHash)).toEqual(['jane@acme.com', 'jane@acme.com', 'jane@acme.com']);
  });

  it('reads no sentence, and no address without a domain and a top-level domain', () => {
    for (const text of [
      'meet me at acme dot com',
      'the (at) sign and [dot] notation',
      'x [at] y',
      'price (at) 5 [dot] 99',
      'user [at] localhost',
      'see [at] acme [dot] c0m',
      '[at] acme [dot] com',
    ])
      expect(emails(text), text).toEqual([]);
  });

  it('ends on runs of brackets and labels, and on a domain longer than an address can be', () => {
    expect(emails(`${'a'.repeat(5000)}${' [at] b [dot]'.repeat(5000)} c`)).toEqual([]);
    expect(emails(`jane [at] ${'a.'.repeat(50_000)}com`)).toEqual([]);
    expect(emails(`${'x [at] '.repeat(20_000)}acme [dot] com`)).toEqual(['x [at] acme [dot] com']);
  });
});
