import { describe, expect, it } from 'vitest';
import { detectEmails } from './email.js';

const spans = (text: string) => detectEmails(text).map((f) => text.slice(f.start, f.end));

describe('detectEmails', () => {
  it('finds addresses in running text with exact offsets', () => {
    const text = 'Mail UtaKortig@jourrapide.com or j.doe+tag@mail.example.co.uk.';
    expect(spans(text)).toEqual(['UtaKortig@jourrapide.com', 'j.doe+tag@mail.example.co.uk']);
    const [first] = detectEmails(text);
    expect(first).toMatchObject({ detector: 'pii', type: 'EMAIL', start: 5, end: 29 });
  });

  it('handles punctuation around the address', () => {
    expect(spans('(alice@example.org), <bob@example.net>; "carol@example.com"')).toEqual([
      'alice@example.org',
      'bob@example.net',
      'carol@example.com',
    ]);
    expect(spans('mailto:dave@example.io')).toEqual(['dave@example.io']);
    // a dash straight after the address ends it; a hyphen inside the domain does not
    expect(spans('write to erin@example.com-thanks, or frank@my-host.example.org-')).toEqual([
      'erin@example.com',
      'frank@my-host.example.org',
    ]);
  });

  it('ends an address at the punctuation of other scripts', () => {
    expect(spans('راسلني على jane@acme-corp.com، أو omar@example.org؛ شكرا')).toEqual(['jane@acme-corp.com', 'omar@example.org']);
    expect(spans('请联系 li@example.cn。或者 wang@example.com、谢谢')).toEqual(['li@example.cn', 'wang@example.com']);
    expect(spans('Schreib an jürgen@bücher.de»')).toEqual(['jürgen@bücher.de']);
  });

  it('reads an address in a URL: its at sign written %40, and the query key before it left out', () => {
    expect(spans('GET /api/users?email=jane%40acme.com&x=1 200')).toEqual(['jane%40acme.com']);
    expect(spans('GET /api/users?email=jane@acme.com&x=1 200')).toEqual(['jane@acme.com']);
    expect(spans('mailto:jane.doe%40acme-corp.com')).toEqual(['jane.doe%40acme-corp.com']);
    expect(spans('https://x.example/?u=a%2Bb%40acme.com')).toEqual(['a%2Bb%40acme.com']);
    expect(spans('discount 50%40 off, 10%40s')).toEqual([]);
  });

  it('leaves out the Chinese, Japanese, Korean or Thai words written against an address', () => {
    expect(spans('请联系jane.doe@acme-corp.com谢谢')).toEqual(['jane.doe@acme-corp.com']);
    expect(spans('メールはtaro@example.jpまで')).toEqual(['taro@example.jp']);
    expect(spans('이메일은 kim@example.kr입니다')).toEqual(['kim@example.kr']);
    expect(spans('ติดต่อjane@acme.comครับ')).toEqual(['jane@acme.com']);
    // an address written in those scripts keeps them
    expect(spans('mail 用户@例子.广告 ok')).toEqual(['用户@例子.广告']);
  });

  it('ignores near-misses', () => {
    expect(spans('@handle and user@localhost and a@b.c and x@-bad.com and a..b@example.com')).toEqual([]);
    expect(spans('https://user:pa55word@db.example.com/x and ssh://git@github.com/org/repo')).toEqual([]);
    expect(spans('price @ 5.00 and @@ and foo@ bar')).toEqual([]);
  });

  it('checks every domain label and the TLD, ASCII or not', () => {
    expect(spans('a@Mail.EXAMPLE.Com b@x-1.io c@xn--bcher-kva.example d@jürgen.de e@bücher.xn--p1ai')).toEqual([
      'a@Mail.EXAMPLE.Com',
      'b@x-1.io',
      'c@xn--bcher-kva.example',
      'd@jürgen.de',
      'e@bücher.xn--p1ai',
    ]);
    expect(spans(`a@x-.com b@a.-x.io c@mail.c0m d@mail.123 e@${'l'.repeat(64)}.com f@jürgen-.de`)).toEqual([]);
  });

  // How fast it is lives in bench/guardrails; here only that such input ends at all (a backtracking
  // blow-up would run past the test timeout) and yields nothing.
  it('finds nothing in adversarial runs of local parts, dots and at signs, and does not hang on them', () => {
    expect(detectEmails('a'.repeat(50_000) + '@' + 'b.'.repeat(50_000))).toEqual([]);
    expect(detectEmails('@'.repeat(100_000))).toEqual([]);
  });
});
