/**
 * The gateway's hot-path caches refresh ahead (src/gateway/cache/refresh-ahead-cache.ts), driven
 * through the whole /v1 pipeline with a test clock: a key used steadily for many TTLs costs one
 * bcrypt, and no request after the first waits on the database (every query is held until the
 * request has answered; a request that needed one would hang). A change the gateway is never told
 * about (no event) still reaches it through the background re-check, without a bcrypt.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bcryptComparisonCount } from '../src/crypto/api-key.js';
import { apiKeys } from '../src/db/schema/index.js';
import type { ScopedDatabase } from '../src/db/tenant.js';
import { createGatewayApp } from '../src/gateway/app.js';
import { createGatewayServices, type GatewayServices } from '../src/gateway/services.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { keyIdOfToken } from './support/limits.js';
import { errorOf } from './support/resilience.js';

const MODEL = 'openai/gpt-5.4-mini';

describe('hot-path caches refresh ahead', () => {
  let fx: GatewayFixture;
  let services: GatewayServices;
  let app: ReturnType<typeof createGatewayApp>;
  let at = Date.now();
  let queries = 0;
  // While set, every gateway query waits for it: background refreshes may, requests must not.
  let gate: Promise<void> | undefined;

  beforeAll(async () => {
    // Response caching on: its hits need the org's data key, its misses the provider key.
    fx = await startGatewayFixture({ projectSettings: { cache: { enabled: true, ttlSeconds: 3600 } } });
    const base = fx.server.runtime;
    const held = async () => {
      queries += 1;
      await gate;
    };
    const gatewayDb: ScopedDatabase = {
      role: base.gatewayDb.role,
      withTenant: async (orgId, fn) => (await held(), base.gatewayDb.withTenant(orgId, fn)),
      withRole: async (fn) => (await held(), base.gatewayDb.withRole(fn)),
    };
    const runtime = { ...base, gatewayDb };
    // Its own gateway (own caches, test clock) on the fixture's database; logs flush at close.
    services = createGatewayServices(runtime, { cacheClock: () => at, logFlushIntervalMs: 3_600_000 });
    app = createGatewayApp(runtime, services);
  });
  let closed = false;
  afterAll(async () => {
    if (!closed) await services?.close();
    await fx?.stop();
  });

  const chat = (apiKey: string, bypassCache: boolean) =>
    app.request('/v1/chat/completions', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        ...(bypassCache ? { 'cache-control': 'no-cache' } : {}),
      },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'steady traffic' }] }),
    });
  const settled = () =>
    Promise.all([services.keyCache.idle(), services.projectContexts.idle(), services.providerSecrets.idle(), services.dataKeys.idle?.()]);

  /** One request with the database held: it must answer without it. Returns the queries it left waiting. */
  async function withDatabaseHeld(send: () => Response | Promise<Response>): Promise<{ response: Response; backgroundQueries: number }> {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const before = queries;
    let timer: NodeJS.Timeout | undefined;
    try {
      const response = await Promise.race([
        Promise.resolve(send()),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the request waited on the database')), 10_000);
        }),
      ]);
      return { response, backgroundQueries: queries - before };
    } finally {
      clearTimeout(timer);
      gate = undefined;
      release();
      await settled();
    }
  }

  it('a key used every 15 s for 12 minutes: one bcrypt, and no request after the first waits on the database', async () => {
    const bcrypts = bcryptComparisonCount();
    const first = await chat(fx.apiKey, true);
    expect(first.status).toBe(200);
    expect((await chat(fx.apiKey, false)).status).toBe(200); // stores, then reads, the cached response
    await settled();
    expect(bcryptComparisonCount() - bcrypts).toBe(1);

    let backgroundQueries = 0;
    // 48 steps of 15 s: 12 TTLs of the verified key and project context, 2.4 of provider and data keys.
    for (let step = 0; step < 48; step++) {
      at += 15_000;
      const result = await withDatabaseHeld(() => chat(fx.apiKey, step % 2 === 0));
      expect(result.response.status).toBe(200);
      backgroundQueries += result.backgroundQueries;
    }
    expect(bcryptComparisonCount() - bcrypts).toBe(1);
    // The caches did refresh (about one re-read per TTL each), in the background only.
    expect(backgroundQueries).toBeGreaterThanOrEqual(12 + 12 + 2);
    expect(services.keyCache.stats.refreshFailures).toBe(0);
  });

  it('a revocation the gateway never hears about is picked up by the background re-check, without a bcrypt', async () => {
    const [token] = await fx.bootstrap();
    expect((await chat(token!, false)).status).toBe(200);
    await settled();
    const bcrypts = bcryptComparisonCount();
    const id = await keyIdOfToken(fx, token!);
    // Straight into the table: no api_key.changed event, as if pub/sub had lost it.
    await fx.server.runtime.apiDb.withTenant(fx.orgId, (tx) => tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id)));

    at += 50_000; // past the refresh point (48 s), well before the hard expiry (120 s)
    expect((await withDatabaseHeld(() => chat(token!, false))).response.status).toBe(200); // served from the cache, re-check behind it
    const refused = await chat(token!, false);
    expect(refused.status).toBe(401);
    expect(errorOf(await refused.json())?.code).toBe('revoked_api_key');
    expect(bcryptComparisonCount() - bcrypts).toBe(0);
  });

  // Last: it closes the services.
  it('close() drops what the caches hold: decrypted provider keys, data keys, verified keys', async () => {
    expect((await chat(fx.apiKey, true)).status).toBe(200);
    expect((await chat(fx.apiKey, false)).status).toBe(200);
    await settled();
    expect([services.providerSecrets.size, services.projectContexts.size].every((size) => size > 0)).toBe(true);
    expect(await services.dataKeys.active(fx.orgId)).toBeDefined();
    at += 50_000; // past the verified key's and project context's refresh point: close() lets those refreshes finish
    expect((await chat(fx.apiKey, true)).status).toBe(200);
    closed = true;
    await services.close();
    expect(services.keyCache.stats.refreshFailures).toBe(0);
    expect([services.providerSecrets.size, services.projectContexts.size]).toEqual([0, 0]);
  });
});
