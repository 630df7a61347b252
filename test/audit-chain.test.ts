/**
 * The audit hash chains: every event is linked by the database as it is written (whoever writes
 * it, concurrently or not), and verification recomputes the chain and names the first broken
 * link after an event is edited, deleted, reordered or cut from the end. Tampering is done here
 * as the database owner — the only role that can: the service roles cannot UPDATE or DELETE
 * audit events at all (test/rls.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, linkHash, verifyAllChains, verifyChain } from '../src/audit/chain.js';
import { createCheckpointSigner } from '../src/audit/checkpoint-signing.js';
import { recordAudit } from '../src/audit/record.js';
import { queryRows } from '../src/db/rows.js';
import { organizations } from '../src/db/schema/index.js';
import { openIsolatedTestDatabase, uniqueName, type TestDatabase } from './support/database.js';

let db: TestDatabase;
const signer = createCheckpointSigner('audit-chain-test-secret-0123456789abcdef');

beforeAll(async () => {
  db = await openIsolatedTestDatabase();
}, 60_000);
afterAll(async () => db?.close());

async function newOrg(): Promise<string> {
  const orgId = randomUUID();
  await db.api.withTenant(orgId, (tx) => tx.insert(organizations).values({ id: orgId, name: uniqueName('chain') }));
  return orgId;
}

const record = (orgId: string, n: number) =>
  db.api.withTenant(orgId, (tx) =>
    recordAudit(tx, {
      orgId,
      actor: { type: 'system', id: 'cli@test' },
      action: 'project.created',
      target: { type: 'project', id: `p${n}` },
      diff: { name: `project ${n}`, settings: { cache: { enabled: n % 2 === 0 } } },
    }),
  );

type ChainRow = { id: string; seq: string | number; prev_hash: string; hash: string };
const chainRows = (orgId: string) =>
  queryRows<ChainRow>(db.handle.db, sql`select id, seq, prev_hash, hash from audit_events where org_id = ${orgId} order by seq`);

describe('writing', () => {
  it('links every event to the one before, per org, whatever the writer sent', async () => {
    const orgId = await newOrg();
    for (let n = 1; n <= 3; n++) await record(orgId, n);
    // A writer that tries to set the links itself is overruled by the trigger.
    await db.api.withTenant(orgId, (tx) =>
      tx.execute(
        sql`insert into audit_events (org_id, actor_type, action, outcome, seq, prev_hash, hash) values (${orgId}, 'system', 'org.updated', 'success', 99, 'x', 'y')`,
      ),
    );
    const rows = await chainRows(orgId);
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(4);
    expect(await verifyChain(db.handle.db, orgId, signer)).toEqual({
      chain: orgId,
      events: 4,
      head: { seq: 4, hash: rows[3]!.hash },
      ok: true,
    });
  });

  it('gives concurrent writers consecutive positions, and a rolled-back event leaves no gap', async () => {
    const orgId = await newOrg();
    await Promise.all(Array.from({ length: 12 }, (_, n) => record(orgId, n)));
    await expect(
      db.api.withTenant(orgId, async (tx) => {
        await recordAudit(tx, { orgId, actor: { type: 'system', id: 'cli@test' }, action: 'project.deleted' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await record(orgId, 99);
    const rows = await chainRows(orgId);
    expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    expect((await verifyChain(db.handle.db, orgId, signer)).ok).toBe(true);
  });

  it('keeps the instance chain (events before an org is known) separate', async () => {
    await db.api.withRole((tx) =>
      recordAudit(tx, {
        orgId: null,
        actor: { type: 'system', id: 'cli@test' },
        action: 'auth.login_failed',
        outcome: 'failure',
        reason: 'bad_password',
      }),
    );
    const [instance] = await verifyAllChains(db.handle.db, signer);
    expect(instance).toMatchObject({ chain: 'instance', ok: true });
    expect(instance!.events).toBeGreaterThan(0);
  });
});

describe('verification', () => {
  async function tampered(change: (orgId: string, rows: ChainRow[]) => Promise<unknown>) {
    const orgId = await newOrg();
    for (let n = 1; n <= 5; n++) await record(orgId, n);
    expect((await verifyChain(db.handle.db, orgId, signer)).ok).toBe(true);
    await change(orgId, await chainRows(orgId));
    return verifyChain(db.handle.db, orgId, signer);
  }

  it('finds an edited event', async () => {
    const report = await tampered((_, rows) =>
      db.handle.db.execute(sql`update audit_events set action = 'project.updated' where id = ${rows[2]!.id}`),
    );
    expect(report).toMatchObject({ ok: false, broken: { seq: 3, reason: 'hash_mismatch' } });
  });

  it('finds an edited diff, even with its hash recomputed for the new content', async () => {
    const report = await tampered(async (orgId, rows) => {
      await db.handle.db.execute(sql`update audit_events set diff = '{"name": "innocent"}' where id = ${rows[1]!.id}`);
      const [row] = await queryRows<{ canonical: string }>(
        db.handle.db,
        sql`select canonical from portcullis_audit_chain_page(${orgId}::uuid, 1, 1)`,
      );
      await db.handle.db.execute(sql`update audit_events set hash = ${linkHash(rows[0]!.hash, row!.canonical)} where id = ${rows[1]!.id}`);
    });
    // The forged hash fits its own event, but the next event still points at the original.
    expect(report).toMatchObject({ ok: false, broken: { seq: 3, reason: 'prev_hash_mismatch' } });
  });

  it('finds a deleted event', async () => {
    const report = await tampered((_, rows) => db.handle.db.execute(sql`delete from audit_events where id = ${rows[1]!.id}`));
    expect(report).toMatchObject({ ok: false, broken: { seq: 2, reason: 'seq_gap' } });
  });

  it('finds reordered events', async () => {
    const report = await tampered(async (_, rows) => {
      await db.handle.db.execute(sql`update audit_events set seq = -1 where id = ${rows[1]!.id}`);
      await db.handle.db.execute(sql`update audit_events set seq = 2 where id = ${rows[2]!.id}`);
      await db.handle.db.execute(sql`update audit_events set seq = 3 where id = ${rows[1]!.id}`);
    });
    expect(report).toMatchObject({ ok: false, broken: { seq: 2 } });
  });

  it('finds events cut from the end, which leave a chain that is whole on its own', async () => {
    const report = await tampered((_, rows) =>
      db.handle.db.execute(sql`delete from audit_events where id in (${rows[3]!.id}, ${rows[4]!.id})`),
    );
    expect(report).toMatchObject({ ok: false, events: 3, broken: { seq: 4, reason: 'head_mismatch' } });
  });
});
