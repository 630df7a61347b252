/**
 * Audit rows as a reader sees them: read straight from the table (as the owner, any chain), with
 * the personal data the api sealed under per-user keys opened through the api's handle.
 */
import { sql, type SQL } from 'drizzle-orm';
import { revealEvents } from '../../src/audit/personal-data.js';
import { queryRows } from '../../src/db/rows.js';
import type { ScopedDatabase } from '../../src/db/tenant.js';
import type { DbOrTx } from '../../src/db/types.js';

export type RawAuditRow = Record<string, unknown> & {
  actor_ip: string | null;
  user_agent: string | null;
  diff: Record<string, unknown> | null;
};

export async function openedAuditRows(owner: DbOrTx, api: ScopedDatabase, where: SQL, orderBy: SQL = sql`seq`): Promise<RawAuditRow[]> {
  const rows = await queryRows<RawAuditRow>(owner, sql`select * from audit_events where ${where} order by ${orderBy}`);
  const stored = rows.map((row) => ({ actorIp: row.actor_ip, userAgent: row.user_agent, diff: row.diff }));
  const open = await api.withRole((tx) => revealEvents(tx, stored));
  return rows.map((row, i) => ({ ...row, actor_ip: open[i]!.actorIp, user_agent: open[i]!.userAgent, diff: open[i]!.diff }));
}
