/** Zero retention (an org setting): request metadata is logged, but no body is stored and no answer is cached. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { eventually } from './support/api.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { sdkClient } from './support/sdk.js';

let fx: GatewayFixture;

beforeAll(async () => {
  fx = await startGatewayFixture({
    projectSettings: { cache: { enabled: true, ttlSeconds: 600 }, logBodies: true },
    orgSettings: { retention: { zeroRetention: true } },
  });
}, 120_000);
afterAll(async () => fx?.stop());

describe('zero retention', () => {
  it('overrides a project that stores bodies and caches answers', async () => {
    const client = sdkClient(fx);
    const ask = () =>
      client.chat.completions
        .create({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'remember nothing' }] })
        .withResponse();
    const first = await ask();
    const second = await ask();
    expect(first.response.headers.get('x-portcullis-cache')).toBeNull();
    expect(second.response.headers.get('x-portcullis-cache')).toBeNull();
    expect(fx.openai.requests).toHaveLength(2);
    const logged = await eventually(async () => {
      const rows = await queryRows<{ n: number }>(
        fx.server.runtime.database.db,
        sql`select count(*)::int as n from request_logs where org_id = ${fx.orgId}`,
      );
      return rows[0]!.n >= 2 ? rows[0]!.n : undefined;
    });
    expect(logged).toBe(2);
    const bodies = await queryRows<{ n: number }>(
      fx.server.runtime.database.db,
      sql`select count(*)::int as n from request_bodies where org_id = ${fx.orgId}`,
    );
    expect(bodies[0]!.n).toBe(0);
  });
});
