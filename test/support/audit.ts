/**
 * Audit rows as a reader sees them: read straight from the table (as the owner, any chain), with
 * the personal data the api sealed under per-user keys opened through the api's handle.
 */
import { sql, type SQL } from 'drizzle-orm';
import { revealEvents } from '../../src/audit/personal-data.js';
import { UnknownMasterKeyError } from '../../src/crypto/master-keyring.js';
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
  const opened: RawAuditRow[] = [];
  for (const row of rows) {
    const stored = { actorIp: row.actor_ip, userAgent: row.user_agent, diff: row.diff };
    try {
      const [open] = await api.withRole((tx) => revealEvents(tx, [stored]));
      opened.push({ ...row, actor_ip: open!.actorIp, user_agent: open!.userAgent, diff: open!.diff });
    } catch (error) {
      // On the shared PostgreSQL test database, other files' servers sealed their users' values
      // under master keys this server does not have: those rows are not this test's, left as stored.
      if (!(error instanceof UnknownMasterKeyError)) throw error;
      opened.push(row);
    }
  }
  return opened;
}
