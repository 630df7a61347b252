/**
 * Retention: audit events by plan (Free 30 days, Pro 90, Enterprise configurable), request logs,
 * bodies and guardrail events by the org's own setting, pruned in batches through the definer
 * functions only — and the audit chain still verifies afterwards, from a signed checkpoint.
 * "Old" rows are written with old timestamps; the job's clock is the test's.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/audit/chain.js';
import { checkpointVerifiers, createCheckpointSigner } from '../src/audit/checkpoint-signing.js';
import { queryOne, queryRows } from '../src/db/rows.js';
import { organizations, type OrgPlan } from '../src/db/schema/index.js';
import { runRetention } from '../src/governance/retention-job.js';
import { createLogger } from '../src/logging/logger.js';
import { expectPgError, openIsolatedTestDatabase, PG, uniqueName, type TestDatabase } from './support/database.js';

let db: TestDatabase;
const SECRET = 'retention-test-secret-0123456789abcdef';
const signer = createCheckpointSigner(SECRET);
const logger = createLogger({ level: 'silent' });
const DAY = 86_400_000;

beforeAll(async () => {
  db = await openIsolatedTestDatabase();
}, 60_000);
afterAll(async () => db?.close());

async function newOrg(plan: OrgPlan, retention?: Record<string, unknown>): Promise<string> {
  const orgId = randomUUID();
  await db.api.withTenant(orgId, (tx) =>
    tx.insert(organizations).values({ id: orgId, name: uniqueName('retention'), plan, settings: retention ? { retention } : {} }),
  );
  return orgId;
}

/** Audit events `ages` days old, oldest first, written as the owner (occurred_at is the event's time). */
async function eventsAged(orgId: string | null, ages: number[]): Promise<void> {
  for (const age of ages) {
    const at = new Date(Date.now() - age * DAY).toISOString();
    await db.handle.db.execute(
      sql`insert into audit_events (org_id, occurred_at, actor_type, action, outcome) values (${orgId}, ${at}::timestamptz, 'system', 'project.updated', 'success')`,
    );
  }
}

async function requestLogsAged(orgId: string, ages: number[]): Promise<void> {
  for (const age of ages) {
    const at = new Date(Date.now() - age * DAY).toISOString();
    const id = randomUUID();
    await db.handle.db.execute(
      sql`insert into request_logs (id, org_id, request_id, endpoint, status, latency_ms, created_at) values (${id}, ${orgId}, ${`req-${id}`}, '/v1/chat/completions', 200, 5, ${at}::timestamptz)`,
    );
    await db.handle.db.execute(
      sql`insert into guardrail_events (org_id, request_id, direction, detector, finding_type, action, created_at) values (${orgId}, ${`req-${id}`}, 'input', 'pii', 'EMAIL', 'log', ${at}::timestamptz)`,
    );
  }
}

const ageDays = async (orgId: string) =>
  (
    await queryRows<{ days: number }>(
      db.handle.db,
      sql`select round(extract(epoch from now() - occurred_at) / 86400)::int as days from audit_events where org_id = ${orgId} and action = 'project.updated' order by seq`,
    )
  ).map((r) => r.days);

const run = (batch = 3) => runRetention({ db: db.api, signer, logger, host: 'test-host', batch });

describe('audit retention by plan', () => {
  it('keeps 30 days on Free, 90 on Pro, the configured days on Enterprise — and every chain still verifies', async () => {
    const ages = [400, 200, 100, 60, 40, 10, 1];
    const free = await newOrg('free');
    const pro = await newOrg('pro');
    const enterprise = await newOrg('enterprise', { auditDays: 150 });
    const enterpriseDefault = await newOrg('enterprise');
    for (const org of [free, pro, enterprise, enterpriseDefault]) await eventsAged(org, ages);

    const summary = await run();
    expect(summary.auditEventsPruned).toBeGreaterThanOrEqual(5 + 3 + 2 + 1);
    expect(await ageDays(free)).toEqual([10, 1]);
    expect(await ageDays(pro)).toEqual([60, 40, 10, 1]);
    expect(await ageDays(enterprise)).toEqual([100, 60, 40, 10, 1]);
    expect(await ageDays(enterpriseDefault)).toEqual([200, 100, 60, 40, 10, 1]);

    for (const org of [free, pro, enterprise, enterpriseDefault]) {
      const report = await verifyChain(db.handle.db, org, signer);
      expect(report, org).toMatchObject({ ok: true, checkpoint: { keyId: signer.keyId } });
    }
    // The job says what it did, in the org's own chain (counts, never contents).
    const applied = await queryOne<{ diff: { auditEventsPruned: number } }>(
      db.handle.db,
      sql`select diff from audit_events where org_id = ${free} and action = 'retention.applied'`,
    );
    expect(applied?.diff.auditEventsPruned).toBe(5);
    // A second run has nothing left to do.
    const again = await run();
    expect(await ageDays(free)).toEqual([10, 1]);
    expect(again.auditEventsPruned).toBe(0);
  });

  it('prunes the instance chain after a year', async () => {
    await eventsAged(null, [500, 366]);
    await run();
    const old = await queryOne<{ n: number }>(
      db.handle.db,
      sql`select count(*)::int as n from audit_events where org_id is null and occurred_at < now() - interval '365 days'`,
    );
    expect(old?.n).toBe(0);
    expect(await verifyChain(db.handle.db, null, signer)).toMatchObject({ ok: true });
  });

  it('a forged or foreign checkpoint breaks verification', async () => {
    const org = await newOrg('free');
    await eventsAged(org, [90, 60, 5]);
    await run();
    expect((await verifyChain(db.handle.db, org, signer)).ok).toBe(true);
    const other = createCheckpointSigner('another-instance-secret-0123456789');
    expect(await verifyChain(db.handle.db, org, other)).toMatchObject({ ok: false, broken: { reason: 'checkpoint_key_unknown' } });
    await db.handle.db.execute(sql`update audit_checkpoints set hash = ${'f'.repeat(64)} where org_id = ${org}`);
    expect(await verifyChain(db.handle.db, org, signer)).toMatchObject({ ok: false, broken: { reason: 'checkpoint_signature_invalid' } });
  });

  it('after AUTH_SECRET is rotated, a checkpoint signed before verifies only with the old value in AUTH_SECRET_PREVIOUS', async () => {
    const org = await newOrg('free');
    await eventsAged(org, [90, 60, 5]);
    await run();
    const rotated = 'the-rotated-instance-secret-0123456789abcdef';
    expect(await verifyChain(db.handle.db, org, checkpointVerifiers(rotated, []))).toMatchObject({
      ok: false,
      broken: { reason: 'checkpoint_key_unknown' },
    });
    expect(await verifyChain(db.handle.db, org, checkpointVerifiers(rotated, [SECRET]))).toMatchObject({
      ok: true,
      checkpoint: { keyId: signer.keyId },
    });
    // An old key vouches only for what it signed: a forged checkpoint still fails under it.
    await db.handle.db.execute(sql`update audit_checkpoints set hash = ${'e'.repeat(64)} where org_id = ${org}`);
    expect(await verifyChain(db.handle.db, org, checkpointVerifiers(rotated, [SECRET]))).toMatchObject({
      ok: false,
      broken: { reason: 'checkpoint_signature_invalid' },
    });
  });

  it('never lets the api prune recent audit events, whatever it asks', async () => {
    const org = await newOrg('free');
    await eventsAged(org, [5]);
    const [event] = await queryRows<{ seq: number; hash: string }>(
      db.handle.db,
      sql`select seq, hash from audit_events where org_id = ${org}`,
    );
    // P0001: the function's own refusal ("younger than 30 days are never pruned").
    await expectPgError(
      db.api.withTenant(org, (tx) =>
        tx.execute(sql`select portcullis_prune_audit(${org}::uuid, ${event!.seq}, ${event!.hash}, now(), 'sig', 'key')`),
      ),
      'P0001',
    );
    // And it cannot delete one itself (the service role has no DELETE on audit events).
    await expectPgError(
      db.api.withTenant(org, (tx) => tx.execute(sql`delete from audit_events where org_id = ${org}`)),
      PG.insufficientPrivilege,
    );
    expect(await ageDays(org)).toEqual([5]);
  });
});

describe('request log retention', () => {
  it('removes request logs and guardrail events past the org’s setting (30 days by default), in batches', async () => {
    const standard = await newOrg('pro');
    const short = await newOrg('pro', { requestLogDays: 7 });
    for (const org of [standard, short]) await requestLogsAged(org, [45, 31, 20, 8, 2]);
    await run(2);
    const left = async (orgId: string) =>
      (
        await queryRows<{ days: number }>(
          db.handle.db,
          sql`select round(extract(epoch from now() - created_at) / 86400)::int as days from request_logs where org_id = ${orgId} order by created_at`,
        )
      ).map((r) => r.days);
    expect(await left(standard)).toEqual([20, 8, 2]);
    expect(await left(short)).toEqual([2]);
    const guardrail = await queryOne<{ n: number }>(
      db.handle.db,
      sql`select count(*)::int as n from guardrail_events where org_id = ${short}`,
    );
    expect(guardrail?.n).toBe(1);
  });
});
