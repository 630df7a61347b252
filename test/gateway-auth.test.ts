/** API-key authentication at the gateway, through real HTTP: every way a key can be wrong. */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBootstrap } from '../src/bootstrap/apply.js';
import { parseBootstrapText } from '../src/bootstrap/document.js';
import { systemActor } from '../src/audit/context.js';
import { bcryptComparisonCount, hashCredentialSecret, verifyCredentialSecret } from '../src/crypto/api-key.js';
import { randomBase62 } from '../src/crypto/random.js';
import { apiKeys } from '../src/db/schema/index.js';
import { createApiKeyAuthenticator } from '../src/gateway/authenticate.js';
import { createKnownGoodKeys } from '../src/gateway/auth/known-good-keys.js';
import { createVerifiedKeyCache } from '../src/gateway/auth/verified-key-cache.js';
import { HttpError } from '../src/http/errors.js';
import { createKeyedLimiter } from '../src/limits/keyed-limiter.js';
import { findOrganizationId } from '../src/tenancy/organizations.js';
import { uniqueName } from './support/database.js';
import { startTestServer, type TestServer } from './support/server.js';

let server: TestServer;
let live: string;
let test: string;
let orgId: string;

const ctx = { actor: systemActor('cli', 'test'), requestId: null };

beforeAll(async () => {
  server = await startTestServer({ services: ['gateway'] });
  const org = uniqueName('gw');
  const doc = parseBootstrapText(
    `orgs:\n  - name: ${org}\n    projects:\n      - name: prod\n        apiKeys: [{ name: app }, { name: revoked }, { name: expired, expiresAt: "2020-01-01T00:00:00Z" }]\n      - name: sandbox\n        mode: test\n        apiKeys: [{ name: app }]\n`,
    'b.yaml',
  );
  const result = await applyBootstrap(doc, { db: server.runtime.apiDb, keyring: server.runtime.keyring, ctx });
  const key = (project: string, name: string) => result.apiKeys.find((k) => k.project === project && k.name === name)!.key;
  live = key('prod', 'app');
  test = key('sandbox', 'app');
  orgId = (await findOrganizationId(server.runtime.apiDb, org))!;
  await server.runtime.apiDb.withTenant(orgId, (tx) =>
    tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.name, 'revoked')),
  );
  revoked = key('prod', 'revoked');
  expired = key('prod', 'expired');
});
afterAll(async () => server?.stop());

let revoked: string;
let expired: string;

async function models(headers: Record<string, string>) {
  const response = await fetch(`${server.gatewayUrl}/v1/models`, { headers });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; message: string; type: string }; object?: string },
  };
}

describe('gateway API-key authentication', () => {
  it('accepts a valid key as Bearer and as x-api-key (OpenAI and Anthropic SDK styles)', async () => {
    expect(await models({ authorization: `Bearer ${live}` })).toEqual({ status: 200, body: { object: 'list', data: [] } });
    expect((await models({ 'x-api-key': live })).status).toBe(200);
    expect((await models({ authorization: `Bearer ${test}` })).status).toBe(200);
  });

  it('rejects a missing key with a 401 that says how to send one', async () => {
    const response = await models({});
    expect(response.status).toBe(401);
    expect(response.body.error).toMatchObject({ code: 'missing_api_key', type: 'authentication_error' });
  });

  it('rejects malformed, unknown and wrong-secret keys with the same 401', async () => {
    const wrongSecret = live.slice(0, -4) + (live.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const unknownLookup = live.replace(/^pc_live_[0-9A-Za-z]{12}/, 'pc_live_000000000000');
    const otherKind = live.replace('pc_live_', 'pc_test_');
    const bodies = [];
    for (const key of ['garbage', 'sk-not-ours', wrongSecret, unknownLookup, otherKind, `${live}x`]) {
      const response = await models({ authorization: `Bearer ${key}` });
      expect(response.status, key).toBe(401);
      bodies.push(response.body);
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
  });

  it('rejects revoked and expired keys with their own code', async () => {
    expect((await models({ authorization: `Bearer ${revoked}` })).body.error?.code).toBe('revoked_api_key');
    expect((await models({ authorization: `Bearer ${expired}` })).body.error?.code).toBe('expired_api_key');
  });

  it('answers unknown routes with a JSON 404 in the OpenAI shape, and /v1/messages errors in the Anthropic shape', async () => {
    const unknown = await fetch(`${server.gatewayUrl}/v2/whatever`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { type: 'not_found_error' } });
    const messages = await fetch(`${server.gatewayUrl}/v1/messages`, { method: 'POST', headers: { 'x-api-key': 'nope' } });
    expect(messages.status).toBe(401);
    expect(await messages.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it('refuses oversized bodies with a JSON 413 before reading them', async () => {
    const big = 'x'.repeat(server.runtime.config.gatewayMaxBodyBytes + 1);
    const response = await fetch(`${server.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${live}`, 'content-type': 'application/json' },
      body: big,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('echoes a well-formed x-request-id and replaces a malformed one', async () => {
    const kept = await fetch(`${server.gatewayUrl}/healthz`, { headers: { 'x-request-id': 'trace-123.abc' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-123.abc');
    const replaced = await fetch(`${server.gatewayUrl}/healthz`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{24}$/);
  });
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await run();
  return [result, performance.now() - started];
}

describe('no timing difference between unknown lookup ids and wrong secrets', () => {
  it('refuses an unknown lookup id no faster than a bcrypt comparison takes, without making one', async () => {
    // What one comparison costs in this process right now (the gateway runs in it too).
    const hash = await hashCredentialSecret(randomBase62(48));
    const compares: number[] = [];
    for (let i = 0; i < 3; i++) compares.push((await timed(() => verifyCredentialSecret(randomBase62(48), hash)))[1]);
    const bcryptMs = median(compares);

    const before = bcryptComparisonCount();
    const unknown = [0, 1, 2, 3, 4].map(() => `pc_live_${randomBase62(12)}_${randomBase62(48)}`);
    // A live key's lookup id presented as a test key: found, but refused without a comparison too.
    const otherKind = live.replace('pc_live_', 'pc_test_').slice(0, -4) + randomBase62(4);
    // The HTTP round trip alone, from a malformed key refused before any lookup, measured alongside.
    const durations: number[] = [];
    const baseline: number[] = [];
    for (const key of [...unknown, otherKind]) {
      baseline.push((await timed(() => models({ authorization: `Bearer pc_live_${randomBase62(5)}` })))[1]);
      const [response, ms] = await timed(() => models({ authorization: `Bearer ${key}` }));
      expect(response.status).toBe(401);
      expect(response.body.error?.code).toBe('invalid_api_key');
      durations.push(ms);
    }
    expect(bcryptComparisonCount() - before).toBe(0);
    // Ratio, not milliseconds: the machine may be slow, but both sides are measured on it. Without
    // the wait the difference is one indexed lookup, a few percent of a comparison. Not 1: the
    // gateway's estimate comes from comparisons it made earlier (at start-up, in earlier tests),
    // and CI machines switch between two speeds, so a comparison timed here can take twice what
    // the gateway last saw (CI runs read 0.52 and, with both test workers busy, 0.30 that way); a
    // missing wait still reads ~0.05, so 0.2 tells the two apart with room on both sides.
    expect((median(durations) - median(baseline)) / bcryptMs).toBeGreaterThanOrEqual(0.2);

    // Repeats are refused from the negative cache on both paths alike, with no comparison.
    const wrongSecret = live.slice(0, -4) + (live.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await models({ authorization: `Bearer ${wrongSecret}` })).status).toBe(401);
    const afterFirstSight = bcryptComparisonCount();
    for (const key of [unknown[0]!, wrongSecret]) expect((await models({ authorization: `Bearer ${key}` })).status).toBe(401);
    expect(bcryptComparisonCount()).toBe(afterFirstSight);
  });
});

describe('a lookup id flooded from many addresses', () => {
  it('spends at most its bcrypt budget on wrong secrets, and its owner is still let in, after a cache clear too', async () => {
    const redis = server.runtime.config.redisUrl;
    const limiter = (points: number, name: string) =>
      createKeyedLimiter({ points, durationSeconds: 60, prefix: `${uniqueName(name)}:`, ...(redis ? { redis } : {}) });
    // services.ts has 10 / 50 / 300; smaller here so the flood stays cheap.
    const limiters = { byLookupIdAndIp: limiter(2, 'pair'), byIp: limiter(50, 'ip'), byLookupId: limiter(10, 'lookup') };
    const cache = createVerifiedKeyCache({ pepper: randomBytes(32) });
    const knownGood = createKnownGoodKeys({ store: server.runtime.store, pepper: randomBytes(32) });
    const authenticate = createApiKeyAuthenticator(server.runtime.gatewayDb, cache, { limiters, knownGood });
    const status = (key: string, ip: string) =>
      authenticate(key, ip).then(
        () => 200,
        (error: unknown) => (error instanceof HttpError ? error.status : 500),
      );
    const address = (i: number) => `198.18.${(i >> 8) & 255}.${(i & 255) + 1}`;
    try {
      // The owner has used the key before.
      expect(await status(live, address(200))).toBe(200);

      // 20 addresses x 2 wrong secrets each: every address stays within its own limits.
      const before = bcryptComparisonCount();
      const flood = await Promise.all(Array.from({ length: 40 }, (_, i) => status(live.slice(0, -48) + randomBase62(48), address(i >> 1))));
      const comparisons = bcryptComparisonCount() - before;
      expect(comparisons).toBeLessThanOrEqual(10);
      expect(flood.filter((s) => s === 401)).toHaveLength(comparisons);
      expect(flood.filter((s) => s === 429)).toHaveLength(40 - comparisons);

      // The budget is spent: another wrong secret from a fresh address is refused without a bcrypt…
      const spent = bcryptComparisonCount();
      expect(await status(live.slice(0, -48) + randomBase62(48), address(300))).toBe(429);
      expect(bcryptComparisonCount()).toBe(spent);
      // …but the owner's key, no longer cached, is verified (one bcrypt) and let in.
      cache.clear();
      expect(await status(live, address(301))).toBe(200);
      expect(bcryptComparisonCount()).toBe(spent + 1);
    } finally {
      await Promise.all(Object.values(limiters).map((l) => l.close()));
    }
  });
});
