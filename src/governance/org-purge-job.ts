/**
 * The purge of orgs whose deletion grace period has passed (credentials/org-deletion-schedule.ts):
 * run beside retention in every api process. Each due org is deleted by the same code as an
 * immediate deletion (crypto-shredding, `org.deleted` in both chains), as the server.
 *
 * Safe with several replicas and idempotent: the work list comes from a definer function, and each
 * org is then locked with SKIP LOCKED in its own transaction — a replica already purging it makes
 * the others pass it by, an org already gone is nothing to do, and the due time is checked again
 * under the lock, so a deletion cancelled a moment ago is never carried out.
 */
import { sql } from 'drizzle-orm';
import { systemActor, type ActionContext } from '../audit/context.js';
import type { CredentialDeps } from '../credentials/api-key-service.js';
import { deleteOrganization, type OrgDeletionSummary } from '../credentials/org-deletion.js';
import { queryRows } from '../db/rows.js';

/** Orgs per run: a backlog is worked off over several runs. */
const MAX_PER_RUN = 100;

export type OrgPurgeDeps = CredentialDeps & {
  host: string;
  /** Tests move the clock. */
  now?: () => Date;
};

export type OrgPurgeSummary = { due: number; purged: OrgDeletionSummary[] };

export async function runOrgPurge(deps: OrgPurgeDeps): Promise<OrgPurgeSummary> {
  const now = deps.now?.() ?? new Date();
  const ctx: ActionContext = { actor: systemActor('server', deps.host), requestId: null };
  const due = await deps.db.withRole((tx) =>
    queryRows<{ org_id: string }>(
      tx,
      sql`select org_id from portcullis_orgs_due_for_deletion(${now.toISOString()}::timestamptz, ${MAX_PER_RUN})`,
    ),
  );
  const purged: OrgDeletionSummary[] = [];
  for (const { org_id: orgId } of due) {
    try {
      const summary = await deleteOrganization(deps, orgId, ctx, {
        lock: 'skip',
        precondition: (org) => org.deletionScheduledFor !== null && org.deletionScheduledFor.getTime() <= now.getTime(),
        note: { afterGracePeriod: true },
      });
      if (summary) purged.push(summary);
    } catch (error) {
      deps.logger.error({ err: error, orgId }, 'purging an org scheduled for deletion failed; the next run retries');
    }
  }
  return { due: due.length, purged };
}

/** Runs the purge every `intervalMs` (first run after `initialDelayMs`); stop() waits for a run in progress. */
export function startOrgPurgeSchedule(deps: OrgPurgeDeps, options: { intervalMs: number; initialDelayMs: number }) {
  let running: Promise<unknown> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    running = runOrgPurge(deps)
      .then((summary) => {
        for (const org of summary.purged)
          deps.logger.info(
            { orgId: org.orgId, deleted: org.deleted, shreddedRequestBodies: org.shreddedRequestBodies },
            'org purged after its grace period',
          );
      })
      .catch((error: unknown) => deps.logger.error({ err: error }, 'org purge run failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, options.intervalMs).unref();
      });
  };
  timer = setTimeout(tick, options.initialDelayMs).unref();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
