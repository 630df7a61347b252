/**
 * The retention job (api process, every RETENTION_INTERVAL_SECONDS): for every org, audit events
 * older than its plan's retention and request logs, stored bodies and guardrail events older than
 * its own setting are removed in batches, each batch its own short transaction (no long locks).
 * Audit events go only through `portcullis_prune_audit`, which first stores a checkpoint signed
 * here (Ed25519) naming the last removed event and its hash, so the chain still verifies from it.
 * Idempotent and safe with several replicas: a transaction-level advisory lock per chain makes a
 * second replica skip a chain being pruned, and a batch someone else finished is a no-op.
 * Request logs are partitioned by month: first, the partitions ahead are created and every month
 * past the longest retention in force is dropped whole (request-log-partitions.ts); the per-org
 * batched delete then removes what shorter retentions no longer keep.
 */
import { sql } from 'drizzle-orm';
import type { ActionContext } from '../audit/context.js';
import { systemActor } from '../audit/context.js';
import type { CheckpointSigner } from '../audit/checkpoint-signing.js';
import { recordAudit } from '../audit/record.js';
import { queryOne, queryRows } from '../db/rows.js';
import type { OrgPlan } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import type { Logger } from '../logging/logger.js';
import { dropExpiredRequestLogPartitions, ensureRequestLogPartitions, longestRequestLogDays } from './request-log-partitions.js';
import { auditRetentionDays, DEFAULT_RETENTION, INSTANCE_AUDIT_DAYS, retentionSettingsSchema } from './retention-policy.js';

const DAY_MS = 86_400_000;
const DEFAULT_BATCH = 5_000;
/** Batches per chain or org per run: a backlog is worked off over several runs, not in one. */
const MAX_BATCHES = 200;

export type RetentionDeps = {
  /** The api's scoped database: prunes only through the definer functions. */
  db: ScopedDatabase;
  signer: CheckpointSigner;
  logger: Logger;
  host: string;
  /** Tests move the clock. */
  now?: () => Date;
  batch?: number;
};

export type RetentionSummary = {
  orgs: number;
  auditEventsPruned: number;
  /** Rows deleted by the per-org batches plus rows of dropped partitions. */
  requestRowsPruned: number;
  partitionsCreated: number;
  partitionsDropped: number;
};

type Target = { org_id: string; plan: OrgPlan; retention: unknown };

/** True when this transaction holds the chain's retention lock (another replica may have it). */
async function lockChain(tx: Tx, chain: string): Promise<boolean> {
  const row = await queryOne<{ locked: boolean }>(
    tx,
    sql`select pg_try_advisory_xact_lock(hashtext(${`portcullis-retention:${chain}`})) as locked`,
  );
  return row?.locked === true;
}

async function pruneAuditBatch(tx: Tx, deps: RetentionDeps, orgId: string | null, cutoff: Date, prunedAt: Date, batch: number) {
  const chain = orgId ?? 'instance';
  if (!(await lockChain(tx, chain))) return 0;
  const point = await queryOne<{ seq: string | number; hash: string }>(
    tx,
    sql`select * from portcullis_audit_prune_point(${orgId}::uuid, ${cutoff.toISOString()}::timestamptz, ${batch})`,
  );
  if (!point) return 0;
  const checkpoint = { chain, seq: Number(point.seq), hash: point.hash, prunedAt };
  const signature = deps.signer.sign(checkpoint);
  const removed = await queryOne<{ removed: number }>(
    tx,
    sql`select portcullis_prune_audit(${orgId}::uuid, ${checkpoint.seq}, ${point.hash}, ${prunedAt.toISOString()}::timestamptz, ${signature}, ${deps.signer.keyId}) as removed`,
  );
  return Number(removed?.removed ?? 0);
}

async function pruneAudit(deps: RetentionDeps, orgId: string | null, cutoff: Date, prunedAt: Date): Promise<number> {
  const batch = deps.batch ?? DEFAULT_BATCH;
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const run = (tx: Tx) => pruneAuditBatch(tx, deps, orgId, cutoff, prunedAt, batch);
    const removed = orgId === null ? await deps.db.withRole(run) : await deps.db.withTenant(orgId, run);
    total += removed;
    if (removed < batch) break;
  }
  return total;
}

async function pruneRequestLogs(deps: RetentionDeps, orgId: string, cutoff: Date): Promise<number> {
  const batch = deps.batch ?? DEFAULT_BATCH;
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const removed = await deps.db.withTenant(orgId, async (tx) => {
      const row = await queryOne<{ removed: number }>(
        tx,
        sql`select portcullis_prune_request_logs(${orgId}::uuid, ${cutoff.toISOString()}::timestamptz, ${batch}) as removed`,
      );
      return Number(row?.removed ?? 0);
    });
    total += removed;
    if (removed === 0) break;
  }
  return total;
}

/** Partitions ahead, then whole expired months; a failure is logged and the per-org deletes still run. */
async function maintainRequestLogPartitions(
  deps: RetentionDeps,
  ctx: ActionContext,
  targets: readonly Target[],
  summary: RetentionSummary,
) {
  try {
    summary.partitionsCreated += (await ensureRequestLogPartitions(deps.db)).length;
    const dropped = await dropExpiredRequestLogPartitions(deps.db, longestRequestLogDays(targets.map((t) => t.retention)), ctx.actor);
    summary.partitionsDropped += dropped.length;
    summary.requestRowsPruned += dropped.reduce((sum, d) => sum + d.rowsDropped, 0);
  } catch (error) {
    deps.logger.error({ err: error }, 'request log partition maintenance failed; the next run retries');
  }
}

/** One pass over every org and the instance chain. A failing org is logged and skipped, not fatal. */
export async function runRetention(deps: RetentionDeps): Promise<RetentionSummary> {
  const now = deps.now?.() ?? new Date();
  const ctx: ActionContext = { actor: systemActor('server', deps.host), requestId: null };
  const targets = await deps.db.withRole((tx) => queryRows<Target>(tx, sql`select * from portcullis_retention_targets()`));
  const summary: RetentionSummary = {
    orgs: targets.length,
    auditEventsPruned: 0,
    requestRowsPruned: 0,
    partitionsCreated: 0,
    partitionsDropped: 0,
  };
  await maintainRequestLogPartitions(deps, ctx, targets, summary);
  for (const target of targets) {
    try {
      const parsed = retentionSettingsSchema.safeParse(target.retention);
      const retention = parsed.success ? parsed.data : DEFAULT_RETENTION;
      const auditDays = auditRetentionDays(target.plan, retention);
      const audit = await pruneAudit(deps, target.org_id, new Date(now.getTime() - auditDays * DAY_MS), now);
      const requests = await pruneRequestLogs(deps, target.org_id, new Date(now.getTime() - retention.requestLogDays * DAY_MS));
      summary.auditEventsPruned += audit;
      summary.requestRowsPruned += requests;
      if (audit > 0 || requests > 0)
        await deps.db.withTenant(target.org_id, (tx) =>
          recordAudit(tx, {
            orgId: target.org_id,
            actor: ctx.actor,
            action: 'retention.applied',
            target: { type: 'org', id: target.org_id },
            diff: { auditEventsPruned: audit, requestRowsPruned: requests, auditDays, requestLogDays: retention.requestLogDays },
          }),
        );
    } catch (error) {
      deps.logger.error({ err: error, orgId: target.org_id }, 'retention failed for an org; the next run retries');
    }
  }
  try {
    summary.auditEventsPruned += await pruneAudit(deps, null, new Date(now.getTime() - INSTANCE_AUDIT_DAYS * DAY_MS), now);
  } catch (error) {
    deps.logger.error({ err: error }, 'retention failed for the instance audit chain; the next run retries');
  }
  return summary;
}

/** Runs the job every `intervalMs` (first run after `initialDelayMs`); stop() waits for a run in progress. */
export function startRetentionSchedule(deps: RetentionDeps, options: { intervalMs: number; initialDelayMs?: number }) {
  let running: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    running = runRetention(deps)
      .then((summary) => {
        if (
          summary.auditEventsPruned > 0 ||
          summary.requestRowsPruned > 0 ||
          summary.partitionsCreated > 0 ||
          summary.partitionsDropped > 0
        )
          deps.logger.info(summary, 'retention applied');
      })
      .catch((error: unknown) => deps.logger.error({ err: error }, 'retention run failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, options.intervalMs).unref();
      });
  };
  timer = setTimeout(tick, options.initialDelayMs ?? 60_000).unref();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
