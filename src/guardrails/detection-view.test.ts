import { describe, expect, it } from 'vitest';
import { detectionView, LOCAL_DIGIT_ZEROS } from './detection-view.js';
import { judgeInput } from './engine/test-context.js';
import { scanText } from './scan.js';
import { seededRandom } from './seeded-random.js';

// Built at run time so that no scanner mistakes this file for a leak.
const TOKEN = 'glpat-' + 'q8Zr3LmP0xWv7Ty2Nk5B';
const ZWSP = '\u200b';
const SOFT_HYPHEN = '\u00ad';
const NNBSP = '\u202f';

const found = (text: string) => scanText(text).map((f) => [f.type, text.slice(f.start, f.end)]);
/** ASCII written in Unicode tag characters (U+E0020–E007E), which display as nothing. */
const inTags = (ascii: string) => [...ascii].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
const fromTags = (tags: string) => [...tags].map((c) => String.fromCharCode(c.codePointAt(0)! - 0xe0000)).join('');
/** ASCII letters and digits in mathematical bold (U+1D400…, U+1D7CE…), as "font generators" write them. */
const bold = (ascii: string) =>
  ascii.replace(/[A-Za-z0-9]/g, (c) =>
    String.fromCodePoint(
      /\d/.test(c) ? 0x1d7ce + Number(c) : /[a-z]/.test(c) ? 0x1d41a + c.charCodeAt(0) - 97 : 0x1d400 + c.charCodeAt(0) - 65,
    ),
  );
const fullWidth = (ascii: string) => ascii.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));

describe('what the PII and secret detectors read', () => {
  it('finds values written with other spaces, dashes and full-width forms, at their original offsets', () => {
    expect(found(`Card 4111${NNBSP}1111${NNBSP}1111${NNBSP}1111 on file`)).toEqual([
      ['CREDIT_CARD', `4111${NNBSP}1111${NNBSP}1111${NNBSP}1111`],
    ]);
    expect(found('Card 4111\u00a01111\u00a01111\u00a01111.')).toEqual([['CREDIT_CARD', '4111\u00a01111\u00a01111\u00a01111']]);
    expect(found('SSN 234\u201356\u20137891 (en dashes)')).toEqual([['SSN', '234\u201356\u20137891']]);
    expect(found(`SSN ${fullWidth('234-56-7891')}`)).toEqual([['SSN', fullWidth('234-56-7891')]]);
    expect(found(`mail ${fullWidth('jane@acme-corp.com')} today`)).toEqual([['EMAIL', fullWidth('jane@acme-corp.com')]]);
    expect(found('Write to jane@acme-corp.com\u2014thanks')).toEqual([['EMAIL', 'jane@acme-corp.com']]);
    expect(found('请联系 jane@acme-corp.com。谢谢')).toEqual([['EMAIL', 'jane@acme-corp.com']]);
    // after a key, a dash still ends it
    const key = `sk-ant-api03-${'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7'.repeat(4).slice(0, 93)}AA`;
    expect(found(`my key is ${key}\u2014thanks`)).toEqual([
      ['anthropic-api-key', key],
      ['API_KEY', key],
    ]);
    expect(found(`call +33${NNBSP}6${NNBSP}12${NNBSP}34${NNBSP}56${NNBSP}78 please`)).toEqual([
      ['PHONE', `+33${NNBSP}6${NNBSP}12${NNBSP}34${NNBSP}56${NNBSP}78`],
    ]);
  });

  it('reads a value with invisible characters inside it, and the finding covers them all', () => {
    const hidden = TOKEN.split('').join(ZWSP);
    const text = `deploy with ${hidden}${SOFT_HYPHEN} now`;
    expect(scanText(text).map((f) => [f.detector, f.type, text.slice(f.start, f.end)])).toEqual([
      ['secret', 'gitlab-token', hidden],
      ['pii', 'API_KEY', hidden],
    ]);
    const outcome = judgeInput(text, { secrets: { input: 'redact' } }, (v) => String(v.length));
    expect(outcome).toMatchObject({ blocked: undefined, text: `deploy with [SECRET_1]${SOFT_HYPHEN} now` });
  });

  it('maps every finding back to the original span, however many invisible characters are strewn in', () => {
    const random = seededRandom(11);
    const invisible = [ZWSP, SOFT_HYPHEN, '\u200d', '\u2060', '\ufeff', '\u200e'];
    const plain = 'Write to jane.doe@acme-corp.com, card 4111 1111 1111 1111, from 10.20.30.40 — thanks, café team.';
    const expected = found(plain).map(([type, value]) => [type, value]);
    for (let round = 0; round < 200; round++) {
      let text = '';
      for (const ch of plain) text += ch + (random() < 0.15 ? invisible[Math.floor(random() * invisible.length)]! : '');
      const strip = (s: string) => [...s].filter((c) => !invisible.includes(c)).join('');
      expect(scanText(text).map((f) => [f.type, strip(text.slice(f.start, f.end))])).toEqual(expected);
    }
  });

  it('gives a value written with look-alike characters the same event hash as its plain form', () => {
    const hashes = ['4111 1111 1111 1111', `4111${NNBSP}1111${NNBSP}1111${NNBSP}1111`, `4111 1111${ZWSP} 1111 1111`].map((card) =>
      judgeInput(`card ${card} on file`, { pii: { actions: { CREDIT_CARD: 'redact' } } }).events.map((e) => e.valueHash),
    );
    expect(hashes).toEqual([['4111 1111 1111 1111'], ['4111 1111 1111 1111'], ['4111 1111 1111 1111']]);
  });

  it('reads Cyrillic, Greek and IPA look-alike letters in a key or an address as Latin, and the finding covers the original', () => {
    // "glpаt-q8Zr3LmР0xWv7Τy2Nk5B": Cyrillic а and Р, Greek Τ
    const token = TOKEN.replace('a', '\u0430').replace('P', '\u0420').replace('T', '\u03a4');
    expect(found(`deploy with ${token} now`)).toEqual([
      ['gitlab-token', token],
      ['API_KEY', token],
    ]);
    // every letter that has a look-alike written as one, the prefix's "g" in IPA
    const anthropic = `sk-ant-api03-${'aB3dE6gH9jK2mN5pQ8sT1vW4yZ7'.repeat(4).slice(0, 93)}AA`;
    const disguised = anthropic.replace(/a/g, '\u0430').replace(/o/g, '\u03bf').replace(/E/g, '\u0415').replace('g', '\u0261');
    expect(found(`ключ: ${disguised}`)).toEqual([
      ['anthropic-api-key', disguised],
      ['API_KEY', disguised],
    ]);
    const address = 'j\u0430ne.d\u043ee@\u0430cme-corp.com';
    expect(found(`почта ${address}, спасибо`)).toEqual([['EMAIL', address]]);
    const events = judgeInput(`use ${token}`, { secrets: { input: 'redact' } }).events.map((e) => e.valueHash);
    expect(events).toEqual([TOKEN]);
  });

  it('ends a value where it ended before when a look-alike letter, read, would run it on', () => {
    const key = 'ghp_' + 'Xb7kQ2mZr9LpW4nT6vYc1HsJ8dFg3Ka5Rt0E';
    // the Russian "а" ("and") typed against an address; a word typed against a key
    expect(found('IP 10.0.0.1\u0430 \u0438 192.168.1.1')).toEqual([
      ['IP_ADDRESS', '10.0.0.1'],
      ['IP_ADDRESS', '192.168.1.1'],
    ]);
    expect(found(`ключ ${key}спасибо`)).toEqual([
      ['github-pat', key],
      ['API_KEY', key],
    ]);
    // a look-alike added after a key to lengthen it past the key's pattern
    expect(found(`token ${key}\u0441 ok`)).toEqual([
      ['github-pat', key],
      ['API_KEY', key],
    ]);
  });

  it('leaves words of other scripts as they are, look-alike letters and all', () => {
    // Russian and Greek words have no ASCII letter: "сосо" is no "coco", "ΑΚΟΜΗ" no "AKOMH"
    for (const prose of [
      'Мой пароль от почты: сосо, а сервер называется ахх, и IT-отдел знает.',
      'ΑΚΟΜΗ ΜΙΑ ΦΟΡΑ: το κείμενο μένει όπως είναι, 2024.',
      'Ключ API лежит в хранилище, а не в чате.',
    ])
      expect(detectionView(prose).text).toBe(prose);
    // a mixed token is read; the words beside it are not
    expect(detectionView('токен g\u0430p_x мой').text).toBe('токен gap_x мой');
  });

  it('reads a value written in invisible tag characters, and the finding covers every unit of them', () => {
    const hidden = inTags(TOKEN);
    const text = `deploy with ${hidden} now`;
    expect(scanText(text).map((f) => [f.detector, f.type, text.slice(f.start, f.end)])).toEqual([
      ['secret', 'gitlab-token', hidden],
      ['pii', 'API_KEY', hidden],
    ]);
    // The whole message in tags, keyword included; an address and a card too.
    const all = inTags(`password: ${TOKEN} mail ${'jane.doe@acme-corp.com'} card 4111 1111 1111 1111`);
    expect(scanText(all).map((f) => [f.type, fromTags(all.slice(f.start, f.end))])).toEqual([
      ['gitlab-token', TOKEN],
      ['API_KEY', TOKEN],
      ['EMAIL', 'jane.doe@acme-corp.com'],
      ['CREDIT_CARD', '4111 1111 1111 1111'],
    ]);
    const outcome = judgeInput(text, { secrets: { input: 'redact' } });
    // No half of a surrogate pair is left behind, and the event hash is the plain value's.
    expect(outcome).toMatchObject({ blocked: undefined, text: 'deploy with [SECRET_1] now' });
    expect(outcome.events.map((e) => e.valueHash)).toEqual([TOKEN]);
  });

  it('reads the digits of other scripts and styled mathematical letters and digits as ASCII', () => {
    // A number typed on a Persian, Arabic or Hindi keyboard, and "font generator" text.
    const persian = '+۹۸ ۹۱۲ ۳۴۵ ۶۷۸۹';
    const arabicCard = '٤١١١ ١١١١ ١١١١ ١١١١';
    const hindiSsn = '२३४–५६–७८९१';
    const boldEmail = bold('jane.doe@acme-corp.com');
    const boldCard = bold('4111 1111 1111 1111');
    const text = `تماس: ${persian}، کارت ${arabicCard}. SSN ${hindiSsn}; mail ${boldEmail}, card ${boldCard} 𝛂𝛃`;
    expect(found(text)).toEqual([
      ['PHONE', persian],
      ['CREDIT_CARD', arabicCard],
      ['SSN', hindiSsn],
      ['EMAIL', boldEmail],
      ['CREDIT_CARD', boldCard],
    ]);
    // Each hashes as its plain form; a redaction leaves no half of a pair. (Placeholders follow
    // the value as written, which a reversible redaction puts back.)
    const outcome = judgeInput(`card ${boldCard} or ${arabicCard}, mail ${boldEmail}.`, {
      pii: { actions: { CREDIT_CARD: 'redact', EMAIL: 'redact' } },
    });
    expect(outcome).toMatchObject({ blocked: undefined, text: 'card [CREDIT_CARD_1] or [CREDIT_CARD_2], mail [EMAIL_1].' });
    expect(outcome.events.map((e) => e.valueHash)).toEqual(['4111 1111 1111 1111', '4111 1111 1111 1111', 'jane.doe@acme-corp.com']);
    // Mathematical Greek letters stay as they are.
    expect(detectionView('𝛂𝛃 = 𝟐').text).toBe('𝛂𝛃 = 2');
  });

  it('knows every run of decimal digits of the Basic Multilingual Plane', () => {
    const zeros: number[] = [];
    for (let code = 0x80; code < 0xff10; code++)
      if (/\p{Nd}/u.test(String.fromCharCode(code)) && !/\p{Nd}/u.test(String.fromCharCode(code - 1))) zeros.push(code);
    // Runs that follow each other directly (none in this plane today) would show as one here.
    expect(LOCAL_DIGIT_ZEROS).toEqual(zeros);
    for (const zero of LOCAL_DIGIT_ZEROS)
      expect(detectionView(String.fromCharCode(...Array.from({ length: 10 }, (_, i) => zero + i))).text).toBe('0123456789');
  });

  it('ignores the tag sequences of flag emojis and reads the text around them as it was', () => {
    // 🏴 + "gbsct" + cancel tag: the flag of Scotland.
    const scotland = `\u{1f3f4}${inTags('gbsct')}\u{e007f}`;
    const text = `Flights to ${scotland} from 10.20.30.40, write to jane@acme-corp.com`;
    expect(found(text)).toEqual([
      ['IP_ADDRESS', '10.20.30.40'],
      ['EMAIL', 'jane@acme-corp.com'],
    ]);
    expect(detectionView(`a ${scotland} b`).text).toBe('a \u{1f3f4}gbsct b');
  });

  it('reads HTML character references, and the finding covers all of each', () => {
    const page = '<a href="mailto:jane&#64;acme.com">jane&commat;acme&period;com</a>, card 4111&nbsp;1111&#160;1111&#xa0;1111';
    expect(found(page)).toEqual([
      ['EMAIL', 'jane&#64;acme.com'],
      ['EMAIL', 'jane&commat;acme&period;com'],
      ['CREDIT_CARD', '4111&nbsp;1111&#160;1111&#xa0;1111'],
    ]);
    // a dash between digits, an invisible character inside a key, a finding ending on a reference
    expect(found(`SSN 536&#8211;22&#x2013;4190 and key ${TOKEN.slice(0, 10)}&#8203;${TOKEN.slice(10)}`)).toEqual([
      ['SSN', '536&#8211;22&#x2013;4190'],
      ['gitlab-token', `${TOKEN.slice(0, 10)}&#8203;${TOKEN.slice(10)}`],
      ['API_KEY', `${TOKEN.slice(0, 10)}&#8203;${TOKEN.slice(10)}`],
    ]);
    expect(found('mail jane.doe&#x40')).toEqual([]);
    expect(found('mail jane.doe@acme&#x2E;io')).toEqual([['EMAIL', 'jane.doe@acme&#x2E;io']]);
    // quotes stay escaped: read, a password with one ended there
    const password = 'Xy7&quot;kQ9#mZ2$pL8vR4';
    expect(found(`<input name="password" value="${password}">`).map(([, value]) => value)).toContain(password);
    expect(found(`password = "Xy7&#34;kQ9#mZ2$pL8vR4"`)).toEqual([
      ['generic-password', 'Xy7&#34;kQ9#mZ2$pL8vR4'],
      ['API_KEY', 'Xy7&#34;kQ9#mZ2$pL8vR4'],
    ]);
    // escaped text that holds no value, and names the view does not read, stay as they are
    const prose = 'AT&amp;T &lt;b&gt; R&D &eacute;t&eacute; &copy; 2024 &#9731; Q&A';
    expect(detectionView(prose).text).toBe('AT&T <b> R&D &eacute;t&eacute; &copy; 2024 \u2603 Q&A');
    expect(found(prose)).toEqual([]);
    // redacted whole, and hashed as the plain address
    const outcome = judgeInput('write to jane&#64;acme.com today', { pii: { actions: { EMAIL: 'redact' } } });
    expect(outcome).toMatchObject({ blocked: undefined, text: 'write to [EMAIL_1] today' });
    expect(outcome.events.map((e) => e.valueHash)).toEqual(['jane@acme.com']);
  });

  // A reading only adds findings (value-findings.ts): read, "&#64;" in a password is the at sign
  // that ends a URL's credentials, and "&sol;" a slash that starts its path.
  it('finds a value whose references, read, would change its syntax, over the text as written', () => {
    const html = '<a href="postgres://admin:pa&#64;ssW0rd99xx@db.internal:5432/app">db</a>';
    expect(found(html)).toContainEqual(['url-credentials', 'pa&#64;ssW0rd99xx']);
    const named = 'REDIS_URL=redis://:p&sol;a&equals;ssW0rd99xq@cache:6379/0';
    expect(found(named)).toEqual([
      ['url-credentials', 'p&sol;a&equals;ssW0rd99xq'],
      ['API_KEY', 'p&sol;a&equals;ssW0rd99xq'],
    ]);
    expect(found('postgres://admin:pa\uff20ssW0rd99xx@db.internal:5432/app')).toContainEqual(['url-credentials', 'pa\uff20ssW0rd99xx']);
    // and redacted whole
    const outcome = judgeInput(`connect to ${html} now`, { secrets: { input: 'redact' } });
    expect(outcome).toMatchObject({
      blocked: undefined,
      text: 'connect to <a href="postgres://admin:[SECRET_1]@db.internal:5432/app">db</a> now',
    });
    // found once, not again over the text as written
    expect(found('mail jane&#64;acme.com, key ' + TOKEN)).toEqual([
      ['EMAIL', 'jane&#64;acme.com'],
      ['gitlab-token', TOKEN],
      ['API_KEY', TOKEN],
    ]);
    // typeset text is read once: no-break spaces, dashes and curly quotes are no syntax
    expect(detectionView('a\u00a0ms \u2014 it\u2019s 2020\u20132024, &nbsp; \uff21\u200b').readAsWrittenToo).toBe(false);
    for (const text of ['a&#64;b', 'a&sol;b', 'a\uff1db', 'a\uff20b', `a${inTags('@')}b`])
      expect(detectionView(text).readAsWrittenToo, text).toBe(true);
  });

  // Read as written, "(mobile) …" names "4111 1111": the full-width SSN between them is no number
  // there. Only a value at or beside what the view read as syntax is taken from that reading, so
  // an escape a hundred characters on does not change what is found here (a stream, scanned a
  // window at a time, never sees both).
  it('reads the text as written only around what the view read as syntax', () => {
    const start = "(mobile) １２３－４５－６７８０ — '4111 1111' and then a long stretch of ordinary words, ";
    for (const end of ['so long.', 'so long: 10.0.0.1&#46;', 'so long: %32%30%33%2E%30%2E%31%31%33%2E%35%34'])
      expect(
        found(start + end).filter(([, value]) => start.includes(value!)),
        end,
      ).toEqual([['SSN', '１２３－４５－６７８０']]);
    expect(detectionView(start + 'pa&#64;ss').readAsSyntax).toEqual([{ start: start.length + 2, end: start.length + 7 }]);
    // a look-alike letter beside an address, as in "10.0.0.1а и …"
    expect(found('ping 10.0.0.1а now')).toEqual([['IP_ADDRESS', '10.0.0.1']]);
  });

  // encodeURIComponent on a whole value, a JSON or JavaScript string with its characters escaped
  it('reads percent-escapes and string escapes, and the finding covers all of each', () => {
    const percent = [...TOKEN].map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');
    const unicode = [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    const hex = [...TOKEN].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join('');
    expect(found(`GET /hook?token=${percent} 200`)).toEqual([
      ['gitlab-token', percent],
      ['API_KEY', percent],
    ]);
    expect(found(`{"token": "${unicode}"}`)).toEqual([
      ['gitlab-token', unicode],
      ['API_KEY', unicode],
    ]);
    expect(found(`const t = "${hex}";`)).toEqual([
      ['gitlab-token', hex],
      ['API_KEY', hex],
    ]);
    // an escaped look-alike reads as it does unescaped: a no-break space between a card's groups
    expect(found('card 4111\\u00a01111\\u00a01111\\u00a01111')).toEqual([['CREDIT_CARD', '4111\\u00a01111\\u00a01111\\u00a01111']]);
    // redacted whole, and hashed as the plain value
    const outcome = judgeInput(`key ${percent} ok`, { secrets: { input: 'redact' } });
    expect(outcome).toMatchObject({ blocked: undefined, text: 'key [SECRET_1] ok' });
    expect(outcome.events.map((e) => e.valueHash)).toEqual([TOKEN]);
    // reserved characters stay escaped: read, they would change a URL's structure, and a
    // password written as a URL needs it ("p%2Fa%3Dss%40…") read as a path and a host
    const password = 'p%2Fa%3Dss%25word99%40x';
    expect(found(`REDIS_URL=redis://:${password}@cache:6379/0`)).toEqual([
      ['url-credentials', password],
      ['API_KEY', password],
    ]);
    expect(detectionView('a%2Fb%3Fc%40d%20e%3A').text).toBe('a%2Fb%3Fc%40d%20e%3A');
    // and so do a string's escaped quotes: read, a password with one was two strings
    const quoted = 'Xy7\\u0022kQ9#mZ2$pL8vR4';
    expect(found(`{"password": "${quoted}"}`)).toEqual([
      ['generic-password', quoted],
      ['API_KEY', quoted],
    ]);
    expect(detectionView('\\x22\\x27\\u0027\\u0040\\x40').text).toBe('\\x22\\x27\\u0027\\u0040\\x40');
    // percent signs, paths and patterns that are no escape of a value
    for (const text of [
      '50% off, 100%ABC, 20%2 of them',
      'C:\\users\\xavier\\x64\\build',
      'a regex: \\d+\\x20\\s*',
      'bytes %C3%A9 and %00 %7F',
    ])
      expect(found(text), text).toEqual([]);
    expect(detectionView('bytes %C3%A9, %00 and %7F stay').text).toBe('bytes %C3%A9, %00 and %7F stay');
  });

  it('leaves ASCII text as it is, and text with other non-ASCII characters at the same length', () => {
    const ascii = 'nothing to change here';
    expect(detectionView(ascii).text).toBe(ascii);
    const accented = '“Café” — 3\u00a0crème brûlées, 2024\u20132025';
    const view = detectionView(accented);
    // a dash reads as a hyphen only between digits
    expect(view.text).toBe('“Café” — 3 crème brûlées, 2024-2025');
    expect(view.text).toHaveLength(accented.length);
    expect(found('Dates 2024\u20132025 and page 12\u201314 are not numbers to hide.')).toEqual([]);
  });
});
