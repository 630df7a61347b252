import type { AuditActor } from '../audit/record.js';
import { recordAudit } from '../audit/record.js';
import { expectedMigrations, pendingMigrationCount, runMigrations } from '../db/migrate.js';
import type { DatabaseHandle } from '../db/open.js';
import { createScopedDatabase } from '../db/tenant.js';

/** Applies pending migrations and records the fact in the instance audit chain. Returns how many ran. */
export async function applyPendingMigrations(database: DatabaseHandle, actor: AuditActor): Promise<number> {
  const pending = await pendingMigrationCount(database);
  if (pending === 0) return 0;
  await runMigrations(database);
  const all = expectedMigrations();
  await createScopedDatabase(database.db, 'api').withRole((tx) =>
    recordAudit(tx, {
      orgId: null,
      actor,
      requestId: null,
      action: 'instance.migrations_applied',
      target: null,
      diff: { applied: pending, latest: all[all.length - 1]?.tag ?? null },
    }),
  );
  return pending;
}
