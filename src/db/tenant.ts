import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
import { SERVICE_ROLES, type ServiceRole } from './schema/roles.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import { bindKeyring } from './tx-keyring.js';
import type { Db, Tx } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A transaction held longer than this is logged: it usually means bcrypt or HTTP inside it. */
const SLOW_TRANSACTION_MS = 1_000;

type Scope = { tx: Tx; orgId: string | null; role: ServiceRole };

export type ScopedDatabase = {
  readonly role: ServiceRole;
  /**
   * Runs fn in a transaction as the service role with `app.org_id` set: every RLS-protected
   * query inside sees and writes only this org's rows, even without a where-clause. Nested
   * calls reuse the transaction (PGlite has one connection: a second transaction would wait on
   * the first forever). Keep fn short and free of slow calls (bcrypt, HTTP).
   */
  withTenant<T>(orgId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Same role switch without an org: for instance-level tables (users, sessions) and the SECURITY DEFINER lookups. */
  withRole<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
};

export type SlowTransactionReporter = (info: { role: ServiceRole; orgId: string | null; ms: number }) => void;

/**
 * `keyring`: the master keys audit events' personal data is sealed with (src/audit/personal-data.ts);
 * the api's handle has it, the gateway's does not (it records no personal data).
 */
export function createScopedDatabase(db: Db, role: ServiceRole, onSlow?: SlowTransactionReporter, keyring?: MasterKeyring): ScopedDatabase {
  // One store per database handle, so two handles in one process (tests) never share a transaction.
  const scopes = new AsyncLocalStorage<Scope>();

  async function run<T>(orgId: string | null, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const current = scopes.getStore();
    if (current) {
      if (current.orgId !== orgId) {
        throw new Error(`withTenant: nested call for org ${orgId ?? '(none)'} inside a transaction for org ${current.orgId ?? '(none)'}`);
      }
      return fn(current.tx);
    }
    const started = performance.now();
    try {
      return await db.transaction(async (tx) => {
        // One round trip: set_config('role', …, true) is SET LOCAL ROLE; both reset at commit/rollback.
        await tx.execute(sql`select set_config('role', ${SERVICE_ROLES[role]}, true), set_config('app.org_id', ${orgId ?? ''}, true)`);
        if (keyring) bindKeyring(tx, keyring);
        return scopes.run({ tx, orgId, role }, () => fn(tx));
      });
    } finally {
      const ms = performance.now() - started;
      if (ms > SLOW_TRANSACTION_MS) onSlow?.({ role, orgId, ms });
    }
  }

  return {
    role,
    withTenant(orgId, fn) {
      if (!UUID.test(orgId)) return Promise.reject(new Error('withTenant: org id must be a UUID'));
      return run(orgId, fn);
    },
    withRole(fn) {
      return run(null, fn);
    },
  };
}
