/** withTenant(): one transaction per call, reused by nested calls, as the service role, never leaking the org. */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryOne } from '../src/db/rows.js';
import { organizations, projects } from '../src/db/schema/index.js';
import { createScopedDatabase } from '../src/db/tenant.js';
import { openTestDatabase, uniqueName, type TestDatabase } from './support/database.js';

let db: TestDatabase;
let orgA: string;
let orgB: string;

async function createOrg(): Promise<string> {
  const id = randomUUID();
  await db.api.withTenant(id, (tx) => tx.insert(organizations).values({ id, name: uniqueName('wt') }));
  return id;
}

beforeAll(async () => {
  db = await openTestDatabase();
  orgA = await createOrg();
  orgB = await createOrg();
});
afterAll(async () => db?.close());

const whoAmI = (tx: Parameters<Parameters<TestDatabase['api']['withTenant']>[1]>[0]) =>
  queryOne<{ role: string; org: string; txid: string }>(
    tx,
    sql`select current_user as role, current_setting('app.org_id', true) as org, txid_current()::text as txid`,
  );

describe('withTenant', () => {
  it('runs as the service role with the org set, and both reset afterwards', async () => {
    expect(await db.api.withTenant(orgA, whoAmI)).toMatchObject({ role: 'portcullis_api', org: orgA });
    expect(await db.gateway.withTenant(orgA, whoAmI)).toMatchObject({ role: 'portcullis_gateway', org: orgA });
    const after = await queryOne<{ role: string; org: string | null }>(
      db.handle.db,
      sql`select current_user as role, current_setting('app.org_id', true) as org`,
    );
    expect(after?.role).not.toMatch(/^portcullis_/);
    expect(after?.org ?? '').toBe('');
  });

  it('nested calls for the same org reuse the transaction (no second transaction, no deadlock on PGlite)', async () => {
    const ids = await db.api.withTenant(orgA, async (tx) => {
      const outer = await whoAmI(tx);
      const inner = await db.api.withTenant(orgA, whoAmI);
      return [outer?.txid, inner?.txid];
    });
    expect(ids[0]).toBeDefined();
    expect(ids[0]).toBe(ids[1]);
  });

  it('a nested call for another org is refused rather than silently crossing tenants', async () => {
    await expect(db.api.withTenant(orgA, () => db.api.withTenant(orgB, whoAmI))).rejects.toThrow(/nested call for org/);
    await expect(db.api.withTenant(orgA, () => db.api.withRole(whoAmI))).rejects.toThrow(/nested call/);
  });

  it('rolls back everything, including nested work, when the function throws', async () => {
    const name = uniqueName('rollback');
    await expect(
      db.api.withTenant(orgA, async (tx) => {
        await tx.insert(projects).values({ orgId: orgA, name });
        await db.api.withTenant(orgA, (inner) => inner.insert(projects).values({ orgId: orgA, name: `${name}-nested` }));
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await db.api.withTenant(orgA, (tx) => tx.select({ name: projects.name }).from(projects));
    expect(rows.map((r) => r.name)).not.toContain(name);
  });

  it('concurrent calls for different orgs never see each other', async () => {
    await Promise.all(
      [orgA, orgB].map((org) => db.api.withTenant(org, (tx) => tx.insert(projects).values({ orgId: org, name: uniqueName('concurrent') }))),
    );
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? orgA : orgB)).map(async (org) => ({
        org,
        rows: await db.api.withTenant(org, (tx) => tx.select({ orgId: projects.orgId }).from(projects)),
      })),
    );
    for (const { org, rows } of results) {
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((r) => r.orgId))).toEqual(new Set([org]));
    }
  });

  it('refuses an org id that is not a UUID before touching the database', async () => {
    await expect(db.api.withTenant("x' or '1'='1", whoAmI)).rejects.toThrow(/UUID/);
    await expect(db.api.withTenant('', whoAmI)).rejects.toThrow(/UUID/);
  });

  it('reports transactions held longer than a second (a bcrypt or HTTP call inside one)', async () => {
    const slow: number[] = [];
    const scoped = createScopedDatabase(db.handle.db, 'api', (info) => slow.push(info.ms));
    await scoped.withTenant(orgA, () => new Promise((resolve) => setTimeout(resolve, 1_100)));
    await scoped.withTenant(orgA, whoAmI);
    expect(slow).toHaveLength(1);
    expect(slow[0]).toBeGreaterThan(1_000);
  });
});
