/** The small parts behind admin-token authentication and key restrictions, with a controlled clock. */
import { describe, expect, it } from 'vitest';
import { currentPeriod } from '../src/api/usage/period.js';
import { createLastUsedRecorder } from '../src/auth/last-used.js';
import { createVerifiedTokenCache } from '../src/auth/verified-token-cache.js';
import { parseAllowlistEntry } from '../src/credentials/ip-allowlist.js';

const pepper = Buffer.alloc(32, 7);
type Token = { id: string; orgId: string };

describe('verified token cache', () => {
  it('verifies once per token while cached, and again after the TTL', async () => {
    let clock = 0;
    const cache = createVerifiedTokenCache<Token>({ pepper, ttlMs: 1_000, now: () => clock });
    let calls = 0;
    const verify = () => Promise.resolve({ id: 't1', orgId: 'o1', n: ++calls });
    await cache.get('pc_admin_a', verify);
    await cache.get('pc_admin_a', verify);
    expect(calls).toBe(1);
    clock = 1_001;
    await cache.get('pc_admin_a', verify);
    expect(calls).toBe(2);
  });

  it('shares one verification between concurrent first requests, and never caches a failure', async () => {
    const cache = createVerifiedTokenCache<Token>({ pepper });
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = async () => {
      calls++;
      await gate;
      return { id: 't1', orgId: 'o1' };
    };
    const both = Promise.all([cache.get('tok', slow), cache.get('tok', slow)]);
    release();
    await both;
    expect(calls).toBe(1);

    let failures = 0;
    const failing = () => Promise.reject(new Error(`nope ${++failures}`));
    await expect(cache.get('bad', failing)).rejects.toThrow('nope 1');
    await expect(cache.get('bad', failing)).rejects.toThrow('nope 2');
  });

  it('keys entries by an HMAC of the whole token: another secret never matches', async () => {
    const cache = createVerifiedTokenCache<Token>({ pepper });
    await cache.get('pc_admin_LOOKUP_secret1', () => Promise.resolve({ id: 't1', orgId: 'o1' }));
    let verified = false;
    await expect(
      cache.get('pc_admin_LOOKUP_secret2', () => {
        verified = true;
        return Promise.reject(new Error('wrong secret'));
      }),
    ).rejects.toThrow('wrong secret');
    expect(verified).toBe(true);
  });

  it('drops entries by token id and by org, and does not cache a verification that raced an invalidation', async () => {
    const cache = createVerifiedTokenCache<Token>({ pepper });
    await cache.get('a', () => Promise.resolve({ id: 't1', orgId: 'o1' }));
    await cache.get('b', () => Promise.resolve({ id: 't2', orgId: 'o1' }));
    await cache.get('c', () => Promise.resolve({ id: 't3', orgId: 'o2' }));
    cache.invalidate('t1');
    expect(cache.size).toBe(2);
    cache.invalidateOrg('o1');
    expect(cache.size).toBe(1);

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const pending = cache.get('d', async () => {
      await gate;
      return { id: 't4', orgId: 'o2' };
    });
    cache.invalidate('t4'); // the revocation lands while the first verification is in flight
    release();
    await pending;
    let again = 0;
    await cache.get('d', () => Promise.resolve({ id: 't4', orgId: 'o2', n: ++again }));
    expect(again).toBe(1);
  });
});

describe('last-used recorder', () => {
  it('writes at most once per interval per token, and a failed write does not fail the caller', async () => {
    let clock = 0;
    const writes: string[] = [];
    let fail = false;
    const errors: unknown[] = [];
    const recorder = createLastUsedRecorder({
      intervalMs: 60_000,
      now: () => clock,
      write: (id, _org, at) => {
        if (fail) return Promise.reject(new Error('db down'));
        writes.push(`${id}@${at.getTime()}`);
        return Promise.resolve();
      },
      onError: (e) => errors.push(e),
    });
    await recorder.touch({ id: 'a', orgId: 'o' });
    clock = 59_999;
    await recorder.touch({ id: 'a', orgId: 'o' });
    await recorder.touch({ id: 'b', orgId: 'o' });
    clock = 60_000;
    await recorder.touch({ id: 'a', orgId: 'o' });
    expect(writes).toEqual(['a@0', 'b@59999', 'a@60000']);
    fail = true;
    clock = 200_000;
    await expect(recorder.touch({ id: 'a', orgId: 'o' })).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
  });
});

describe('usage periods', () => {
  it('are calendar periods in UTC', () => {
    const now = new Date('2026-03-31T23:59:59.500Z');
    expect(currentPeriod('hourly', now)).toEqual({ start: new Date('2026-03-31T23:00:00Z'), end: new Date('2026-04-01T00:00:00Z') });
    expect(currentPeriod('daily', now)).toEqual({ start: new Date('2026-03-31T00:00:00Z'), end: new Date('2026-04-01T00:00:00Z') });
    expect(currentPeriod('monthly', now)).toEqual({ start: new Date('2026-03-01T00:00:00Z'), end: new Date('2026-04-01T00:00:00Z') });
    expect(currentPeriod('monthly', new Date('2026-12-15T00:00:00Z')).end).toEqual(new Date('2027-01-01T00:00:00Z'));
    expect(currentPeriod('lifetime', now)).toEqual({ start: null, end: null });
  });
});

describe('IP allowlist entries', () => {
  const accepted: [string, string][] = [
    ['203.0.113.7', '203.0.113.7/32'],
    [' 203.0.113.0/24 ', '203.0.113.0/24'],
    ['2001:0db8:0000::/48', '2001:db8::/48'],
    ['::1', '::1/128'],
    ['::ffff:192.0.2.1', '192.0.2.1/32'],
    // Wide, but not "everything": only prefix 0 is refused for that reason.
    ['0.0.0.0/1', '0.0.0.0/1'],
  ];
  it.each(accepted)('accepts %s as %s', (entry, canonical) => {
    expect(parseAllowlistEntry(entry)).toEqual({ ok: true, cidr: canonical });
  });
  it.each([
    '0.0.0.0/0',
    '::/0',
    '128.0.0.0/0',
    '1.0.0.0/1',
    '::ffff:0.0.0.0/96',
    '10.0.0.1/8',
    '10.1',
    '0x0a.0.0.1',
    '1.2.3.4/',
    '1.2.3.4/-1',
    '1.2.3.4/ 8',
    'fe80::1%1',
    '',
  ])('refuses %j', (entry) => {
    expect(parseAllowlistEntry(entry).ok).toBe(false);
  });
});
