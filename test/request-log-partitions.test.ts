/**
 * request_logs partitioned by month (migration 0027): rows land in their month's partition, a row
 * for a month without one lands in DEFAULT and moves when the partition is created, retention drops
 * a month only when no org's retention still needs it, RLS still isolates orgs through the parent,
 * no service role can touch a partition directly, and the migration keeps every existing row.
 * "Old" rows are written as the owner with old timestamps; dropping is instance-wide, hence an
 * isolated database.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/chain.js';
import { createCheckpointSigner } from '../src/audit/checkpoint-signing.js';
import { systemActor } from '../src/audit/context.js';
import { runMigrations } from '../src/db/migrate.js';
import { openDatabase, type DatabaseHandle } from '../src/db/open.js';
import { queryOne, queryRows } from '../src/db/rows.js';
import { organizations } from '../src/db/schema/index.js';
import type { DbOrTx } from '../src/db/types.js';
import { dropExpiredRequestLogPartitions, ensureRequestLogPartitions } from '../src/governance/request-log-partitions.js';
import { runRetention } from '../src/governance/retention-job.js';
import { createLogger } from '../src/logging/logger.js';
import { migrationsFolder } from '../src/paths.js';
import { expectPgError, openIsolatedTestDatabase, PG, uniqueName, type TestDatabase } from './support/database.js';

let db: TestDatabase;
const signer = createCheckpointSigner('partition-test-secret-0123456789abcdef');
const logger = createLogger({ level: 'silent' });
const actor = systemActor('server', 'test-host');

beforeAll(async () => {
  db = await openIsolatedTestDatabase();
}, 60_000);
afterAll(async () => db?.close());

/** The 15th of the UTC month `offset` months from now (negative: in the past). */
function midMonth(offset: number): Date {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 15, 12));
}
function partitionOf(offset: number): string {
  const at = midMonth(offset);
  return `request_logs_p${at.getUTCFullYear()}${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
}

async function newOrg(retention?: Record<string, unknown>): Promise<string> {
  const orgId = randomUUID();
  await db.api.withTenant(orgId, (tx) =>
    tx.insert(organizations).values({ id: orgId, name: uniqueName('partitions'), settings: retention ? { retention } : {} }),
  );
  return orgId;
}

/** One log row at `at`, written as the owner (the gateway stamps rows with the current time). */
async function logAt(handle: DbOrTx, orgId: string, at: Date): Promise<string> {
  const id = randomUUID();
  await handle.execute(
    sql`insert into request_logs (id, org_id, request_id, endpoint, status, created_at) values (${id}, ${orgId}, ${`req-${id}`}, '/v1/chat/completions', 200, ${at.toISOString()}::timestamptz)`,
  );
  return id;
}

/** Which table physically holds each row. */
async function homes(handle: DbOrTx, ids: string[]): Promise<Record<string, string>> {
  const rows = await queryRows<{ id: string; home: string }>(
    handle,
    sql`select id::text, tableoid::regclass::text as home from request_logs where id = any(${`{${ids.join(',')}}`}::uuid[])`,
  );
  return Object.fromEntries(rows.map((r) => [r.id, r.home]));
}

async function partitions(handle: DbOrTx): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    handle,
    sql`select inhrelid::regclass::text as name from pg_inherits where inhparent = 'request_logs'::regclass order by 1`,
  );
  return rows.map((r) => r.name);
}

async function createPastPartition(offset: number): Promise<string> {
  const start = midMonth(offset);
  const from = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1));
  const to = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const name = partitionOf(offset);
  // As the migration does for months that already hold rows: owned by the definer, RLS forced, no grants.
  await db.handle.db.execute(
    sql.raw(`create table ${name} partition of request_logs for values from ('${from.toISOString()}') to ('${to.toISOString()}')`),
  );
  await db.handle.db.execute(sql.raw(`alter table ${name} owner to portcullis_definer`));
  await db.handle.db.execute(sql.raw(`alter table ${name} enable row level security, force row level security`));
  return name;
}

describe('monthly partitions', () => {
  it('routes rows of three months into their own partitions', async () => {
    const org = await newOrg();
    const ids = [
      await logAt(db.handle.db, org, midMonth(0)),
      await logAt(db.handle.db, org, midMonth(1)),
      await logAt(db.handle.db, org, midMonth(2)),
    ];
    expect(await partitions(db.handle.db)).toEqual(
      expect.arrayContaining([partitionOf(0), partitionOf(1), partitionOf(2), 'request_logs_default']),
    );
    expect(await homes(db.handle.db, ids)).toEqual({ [ids[0]!]: partitionOf(0), [ids[1]!]: partitionOf(1), [ids[2]!]: partitionOf(2) });
  });

  it('sends a row for a month without a partition to DEFAULT and moves it when the partition is created', async () => {
    const org = await newOrg();
    const far = await logAt(db.handle.db, org, midMonth(7));
    const thisMonth = await logAt(db.handle.db, org, midMonth(0));
    expect(await homes(db.handle.db, [far])).toEqual({ [far]: 'request_logs_default' });

    const created = await ensureRequestLogPartitions(db.api, 7);
    expect(created).toContainEqual({ partition: partitionOf(7), rowsMoved: 1 });
    expect(created.map((c) => c.partition)).not.toContain(partitionOf(0)); // it existed already
    expect(await homes(db.handle.db, [far, thisMonth])).toEqual({ [far]: partitionOf(7), [thisMonth]: partitionOf(0) });
    // Still the org's row, through the parent, with RLS.
    const seen = await db.api.withTenant(org, (tx) =>
      queryRows<{ id: string }>(tx, sql`select id::text from request_logs order by created_at`),
    );
    expect(seen.map((r) => r.id)).toEqual([thisMonth, far]);
    // A second call has nothing to do.
    expect(await ensureRequestLogPartitions(db.api, 7)).toEqual([]);
  });

  it('gives the new partition the parent’s indexes and no privilege to any service role', async () => {
    await ensureRequestLogPartitions(db.api, 7);
    const name = partitionOf(7);
    const info = await queryOne<{ owner: string; rls: boolean; forced: boolean; indexes: number; gateway: boolean; api: boolean }>(
      db.handle.db,
      sql`select pg_get_userbyid(c.relowner) as owner, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
                 (select count(*)::int from pg_index i where i.indrelid = c.oid) as indexes,
                 has_table_privilege('portcullis_gateway', c.oid, 'INSERT') or has_table_privilege('portcullis_gateway', c.oid, 'SELECT') as gateway,
                 has_table_privilege('portcullis_api', c.oid, 'SELECT') or has_table_privilege('portcullis_api', c.oid, 'DELETE') as api
          from pg_class c where c.relname = ${name}`,
    );
    // The primary key and the parent's three indexes: (org, time), (key, time), (org, request id).
    expect(info).toEqual({ owner: 'portcullis_definer', rls: true, forced: true, indexes: 4, gateway: false, api: false });
    // The parent (relkind p, which the generic RLS check does not list) keeps RLS enabled and forced.
    const parent = await queryOne<{ rls: boolean; forced: boolean; policies: number }>(
      db.handle.db,
      sql`select relrowsecurity as rls, relforcerowsecurity as forced, (select count(*)::int from pg_policy where polrelid = c.oid) as policies
          from pg_class c where c.oid = 'request_logs'::regclass`,
    );
    expect(parent).toEqual({ rls: true, forced: true, policies: 3 });
  });
});

describe('row-level security with partitions', () => {
  it('still isolates orgs through the parent', async () => {
    const a = await newOrg();
    const b = await newOrg();
    await db.gateway.withTenant(a, (tx) =>
      tx.execute(sql`insert into request_logs (org_id, request_id, endpoint, status) values (${a}, 'req-a', '/v1/chat/completions', 200)`),
    );
    await logAt(db.handle.db, b, midMonth(1));
    const seenByA = await db.api.withTenant(a, (tx) => queryRows<{ org_id: string }>(tx, sql`select org_id::text from request_logs`));
    expect(seenByA).toEqual([{ org_id: a }]);
    await expectPgError(
      db.gateway.withTenant(a, (tx) =>
        tx.execute(
          sql`insert into request_logs (org_id, request_id, endpoint, status) values (${b}, 'req-forged', '/v1/chat/completions', 200)`,
        ),
      ),
      PG.insufficientPrivilege,
    );
  });

  it('refuses the gateway and the api any direct read or write of a partition', async () => {
    const org = await newOrg();
    for (const table of [partitionOf(0), 'request_logs_default']) {
      await expectPgError(
        db.gateway.withTenant(org, (tx) =>
          tx.execute(sql.raw(`insert into ${table} (org_id, request_id, endpoint, status) values ('${org}', 'req-direct', '/v1/x', 200)`)),
        ),
        PG.insufficientPrivilege,
      );
      await expectPgError(
        db.gateway.withTenant(org, (tx) => tx.execute(sql.raw(`select * from ${table}`))),
        PG.insufficientPrivilege,
      );
      await expectPgError(
        db.api.withTenant(org, (tx) => tx.execute(sql.raw(`select * from ${table}`))),
        PG.insufficientPrivilege,
      );
    }
    // Nor create or drop one: only the definer functions do.
    await expectPgError(
      db.api.withRole((tx) => tx.execute(sql.raw(`drop table ${partitionOf(0)}`))),
      PG.insufficientPrivilege,
    );
  });
});

describe('retention drops whole months', () => {
  it('keeps a month while any org’s retention needs it, then drops it, audited and counted', async () => {
    const short = await newOrg(); // 30 days by default
    const long = await newOrg({ requestLogDays: 2_555 });
    const old = await createPastPartition(-16);
    const recent = partitionOf(-3);
    if (!(await partitions(db.handle.db)).includes(recent)) await createPastPartition(-3);
    for (const org of [short, long]) {
      await logAt(db.handle.db, org, midMonth(-16));
      await logAt(db.handle.db, org, midMonth(-3));
    }
    const logId = (await queryOne<{ id: string }>(
      db.handle.db,
      sql`select id::text from request_logs where org_id = ${long} order by created_at limit 1`,
    ))!.id;
    await db.handle.db.execute(
      sql`insert into request_bodies (id, org_id, request_log_id, tenant_key_id, request_ciphertext, created_at)
          values (${randomUUID()}, ${long}, ${logId}, ${randomUUID()}, '\\x00'::bytea, ${midMonth(-16).toISOString()}::timestamptz)`,
    );

    // The api asks for one day; the database keeps what the longest org setting (2555 days) needs.
    expect(await dropExpiredRequestLogPartitions(db.api, 1, actor)).toEqual([]);
    expect(await partitions(db.handle.db)).toContain(old);

    await db.handle.db.execute(
      sql`update organizations set settings = ${JSON.stringify({ retention: { requestLogDays: 400 } })}::jsonb where id = ${long}`,
    );
    const summary = await runRetention({ db: db.api, signer, logger, host: 'test-host' });
    expect(summary.partitionsDropped).toBe(1);
    const names = await partitions(db.handle.db);
    expect(names).not.toContain(old);
    expect(names).toContain(recent);
    // The month older than every retention is gone with its bodies; of the recent month, the per-org
    // delete removed the short-retention org's row and kept the long one's.
    const left = await queryRows<{ org_id: string; home: string }>(
      db.handle.db,
      sql`select org_id::text, tableoid::regclass::text as home from request_logs where org_id in (${short}, ${long}) order by org_id`,
    );
    expect(left).toEqual([{ org_id: long, home: recent }]);
    const bodies = await queryOne<{ n: number }>(db.handle.db, sql`select count(*)::int as n from request_bodies where org_id = ${long}`);
    expect(bodies?.n).toBe(0);

    const audited = await queryRows<{ target_id: string; diff: { requestRowsPruned: number; requestLogDays: number } }>(
      db.handle.db,
      sql`select target_id, diff from audit_events where org_id is null and action = 'retention.applied' and target_type = 'request_log_partition'`,
    );
    expect(audited).toEqual([{ target_id: old, diff: expect.objectContaining({ requestRowsPruned: 2, requestLogDays: 400 }) }]);
    expect(await verifyChain(db.handle.db, null, signer)).toMatchObject({ ok: true });
  });
});

/** Applies the migrations of `folder` the way runMigrations does. */
async function migrateFrom(handle: DatabaseHandle, folder: string): Promise<void> {
  if (handle.kind === 'pglite') {
    const [{ migrate }, { drizzle }] = await Promise.all([import('drizzle-orm/pglite/migrator'), import('drizzle-orm/pglite')]);
    await migrate(drizzle({ client: handle.client }), { migrationsFolder: folder });
    return;
  }
  const [{ migrate }, { drizzle }] = await Promise.all([import('drizzle-orm/node-postgres/migrator'), import('drizzle-orm/node-postgres')]);
  await migrate(drizzle({ client: handle.pool }), { migrationsFolder: folder });
}

describe('migration 0027', () => {
  let handle: DatabaseHandle | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  let before0027: string | undefined;

  afterAll(async () => {
    await handle?.close();
    await dropDatabase?.();
    if (before0027) rmSync(before0027, { recursive: true, force: true });
  });

  it('keeps every existing row and puts each in its month', async () => {
    // Migrations 0000–0026 only: a copy of the folder with the journal cut before 0027.
    before0027 = mkdtempSync(join(tmpdir(), 'portcullis-before-0027-'));
    cpSync(migrationsFolder, before0027, { recursive: true });
    const journalPath = join(before0027, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    journal.entries = journal.entries.slice(
      0,
      journal.entries.findIndex((e) => e.tag.startsWith('0027_')),
    );
    writeFileSync(journalPath, JSON.stringify(journal));

    const url = process.env.TEST_DATABASE_URL;
    if (url) {
      const name = `portcullis_mig27_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create database ${name}`);
      await admin.end();
      const dbUrl = new URL(url);
      dbUrl.pathname = `/${name}`;
      handle = await openDatabase({ kind: 'postgres', url: dbUrl.toString(), poolMax: 2 });
      dropDatabase = async () => {
        const cleanup = new pg.Client({ connectionString: url });
        await cleanup.connect();
        await cleanup.query(`drop database if exists ${name} with (force)`);
        await cleanup.end();
      };
    } else {
      handle = await openDatabase({ kind: 'pglite' });
    }
    await migrateFrom(handle, before0027);
    const relkind = async () =>
      (await queryOne<{ relkind: string }>(handle!.db, sql`select relkind::text from pg_class where oid = 'request_logs'::regclass`))
        ?.relkind;
    expect(await relkind()).toBe('r');

    const org = randomUUID();
    const offsets = [-13, -1, -1, 0];
    const ids: string[] = [];
    for (const offset of offsets) ids.push(await logAt(handle.db, org, midMonth(offset)));

    await runMigrations(handle);
    expect(await relkind()).toBe('p');
    expect(await homes(handle.db, ids)).toEqual(Object.fromEntries(ids.map((id, i) => [id, partitionOf(offsets[i]!)])));
    const total = await queryOne<{ n: number }>(handle.db, sql`select count(*)::int as n from request_logs`);
    expect(total?.n).toBe(ids.length);
    const primaryKey = await queryOne<{ def: string }>(
      handle.db,
      sql`select pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'request_logs'::regclass and contype = 'p'`,
    );
    expect(primaryKey?.def).toBe('PRIMARY KEY (id, created_at)');
    expect(await partitions(handle.db)).toEqual(
      expect.arrayContaining([partitionOf(-13), partitionOf(-1), partitionOf(0), partitionOf(3), 'request_logs_default']),
    );
  }, 180_000);
});
