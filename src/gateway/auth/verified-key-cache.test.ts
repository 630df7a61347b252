import { describe, expect, it } from 'vitest';
import { unauthorized } from '../../http/errors.js';
import { createVerifiedKeyCache, type VerifiedKey } from './verified-key-cache.js';

function clock(start = 1_000) {
  let at = start;
  return { now: () => at, advance: (ms: number) => (at += ms) };
}

const key = (overrides: Partial<VerifiedKey> = {}): VerifiedKey => ({
  id: 'key-1',
  orgId: 'org-1',
  projectId: 'project-1',
  kind: 'live',
  expiresAt: null,
  revokedAt: null,
  supersededUntil: null,
  allowedModels: null,
  ipAllowlist: null,
  limits: {},
  lookupId: 'lookup1',
  secretFingerprint: 'hash-1',
  ...overrides,
});

const TOKEN = 'pc_live_lookup1_secret';
const TTL = 60_000;

describe('createVerifiedKeyCache (refresh-ahead)', () => {
  it('a key used past the TTL is re-checked in the background without a new verification, and takes the row’s new fields', async () => {
    const time = clock();
    let verifications = 0;
    const verify = () => (verifications++, Promise.resolve(key()));
    const rechecks: VerifiedKey[] = [];
    const cache = createVerifiedKeyCache({
      pepper: Buffer.alloc(32, 1),
      now: time.now,
      revalidate: (current) => (rechecks.push(current), Promise.resolve({ ...current, limits: { requestsPerMinute: 5 } })),
    });
    await cache.get(TOKEN, verify);
    for (let at = 0; at < 10 * TTL; at += 5_000) {
      time.advance(5_000);
      await cache.get(TOKEN, verify);
      await cache.idle();
    }
    expect(verifications).toBe(1);
    expect(rechecks.length).toBeGreaterThanOrEqual(10);
    expect((await cache.get(TOKEN, verify)).limits).toEqual({ requestsPerMinute: 5 });
  });

  it('a re-check that finds the secret changed (rotation) drops the entry: the next request verifies again', async () => {
    const time = clock();
    let verifications = 0;
    const verify = () => (verifications++, Promise.resolve(key()));
    const cache = createVerifiedKeyCache({ pepper: Buffer.alloc(32, 1), now: time.now, revalidate: () => Promise.resolve(undefined) });
    await cache.get(TOKEN, verify);
    time.advance(0.8 * TTL);
    await cache.get(TOKEN, verify); // served, re-check behind it
    await cache.idle();
    expect(cache.size).toBe(0);
    await cache.get(TOKEN, verify);
    expect(verifications).toBe(2);
  });

  it('a revocation event during a re-check wins: the re-checked entry is not put back', async () => {
    const time = clock();
    let verifications = 0;
    const verify = () => (verifications++, Promise.resolve(key()));
    let finishRecheck: (key: VerifiedKey) => void = () => undefined;
    const cache = createVerifiedKeyCache({
      pepper: Buffer.alloc(32, 1),
      now: time.now,
      revalidate: () => new Promise<VerifiedKey>((resolve) => (finishRecheck = resolve)),
    });
    await cache.get(TOKEN, verify);
    time.advance(0.9 * TTL);
    await cache.get(TOKEN, verify); // re-check starts, reads the row before the revocation
    cache.invalidate('key-1'); // api_key.changed
    finishRecheck(key());
    await cache.idle();
    expect(cache.size).toBe(0);
    await cache.get(TOKEN, verify);
    expect(verifications).toBe(2);
  });

  it('with the database down the cached key keeps authenticating until 2x the TTL, then the outage shows', async () => {
    const time = clock();
    let down = false;
    const reported: unknown[] = [];
    const verify = () => (down ? Promise.reject(new Error('database unreachable')) : Promise.resolve(key()));
    const cache = createVerifiedKeyCache({
      pepper: Buffer.alloc(32, 1),
      now: time.now,
      onRefreshError: (error) => reported.push(error),
      revalidate: (current) => (down ? Promise.reject(new Error('database unreachable')) : Promise.resolve(current)),
    });
    await cache.get(TOKEN, verify);
    down = true;
    for (let at = 0; at < 2 * TTL - 1_000; at += 1_000) {
      time.advance(1_000);
      expect((await cache.get(TOKEN, verify)).id).toBe('key-1');
      await cache.idle();
    }
    expect(reported).toHaveLength(1);
    time.advance(1_000);
    await expect(cache.get(TOKEN, verify)).rejects.toThrow('database unreachable');
    // Not a 401: the outage is not cached as a refusal.
    down = false;
    expect((await cache.get(TOKEN, verify)).id).toBe('key-1');
  });

  it('still caches refusals, and forgets them on an invalidation', async () => {
    const cache = createVerifiedKeyCache({ pepper: Buffer.alloc(32, 1) });
    let attempts = 0;
    const refuse = () => (attempts++, Promise.reject(unauthorized('Invalid API key.', 'invalid_api_key')));
    await expect(cache.get(TOKEN, refuse)).rejects.toThrow('Invalid API key.');
    await expect(cache.get(TOKEN, refuse)).rejects.toThrow('Invalid API key.');
    expect(attempts).toBe(1);
    cache.invalidate('key-1');
    await expect(cache.get(TOKEN, refuse)).rejects.toThrow('Invalid API key.');
    expect(attempts).toBe(2);
  });
});
