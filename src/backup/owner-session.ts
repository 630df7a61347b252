/**
 * One transaction on the database owner's connection (never a service role): backup reads and
 * restore writes see every tenant's rows. On PostgreSQL a dedicated pool client, on PGlite its one
 * connection (held exclusively). `db` is drizzle on the same connection, so code such as the audit chain verifier
 * runs inside the transaction.
 */
import type { PGlite } from '@electric-sql/pglite';
import type { DatabaseHandle } from '../db/open.js';
import * as schema from '../db/schema/index.js';
import type { Db } from '../db/types.js';

export type OwnerSession = {
  query<R>(text: string, params?: unknown[]): Promise<R[]>;
  db: Db;
};

export class OwnerRoleError extends Error {
  constructor(role: string) {
    super(
      `the database login ${JSON.stringify(role)} is subject to row-level security (not a superuser, no BYPASSRLS): it would see only part of the rows. Run backup, restore and migrate-to-postgres with the migration owner login that has BYPASSRLS (docs/backup.md).`,
    );
    this.name = 'OwnerRoleError';
  }
}

/** Text forms that round-trip exactly through each type's input function, whatever the server defaults. */
const STABLE_TEXT_SETTINGS = [
  "set local bytea_output = 'hex'",
  "set local timezone = 'UTC'",
  "set local datestyle = 'ISO, YMD'",
  "set local intervalstyle = 'postgres'",
  'set local extra_float_digits = 3',
  // A login subject to RLS gets an error instead of silently filtered rows.
  'set local row_security = off',
];

export async function withOwnerTransaction<T>(
  handle: DatabaseHandle,
  mode: 'snapshot' | 'write',
  fn: (session: OwnerSession) => Promise<T>,
): Promise<T> {
  const prepareThenRun = async (session: OwnerSession): Promise<T> => {
    if (mode === 'snapshot') await session.query('set transaction isolation level repeatable read, read only');
    for (const setting of STABLE_TEXT_SETTINGS) await session.query(setting);
    const [role] = await session.query<{ name: string; bypass: boolean }>(
      'select current_user as name, (rolsuper or rolbypassrls) as bypass from pg_roles where rolname = current_user',
    );
    if (!role?.bypass) throw new OwnerRoleError(role?.name ?? 'unknown');
    return fn(session);
  };
  if (handle.kind === 'pglite') {
    // PGlite's transaction() holds its one connection: any other query of the process waits until it ends.
    const { drizzle } = await import('drizzle-orm/pglite');
    return handle.client.transaction((tx) =>
      prepareThenRun({
        query: async <R>(text: string, params?: unknown[]) => (await tx.query<R>(text, params)).rows,
        // drizzle on the transaction object: its queries run inside this transaction.
        db: drizzle({ client: tx as unknown as PGlite, schema }),
      }),
    );
  }
  const [{ drizzle }, client] = await Promise.all([import('drizzle-orm/node-postgres'), handle.pool.connect()]);
  const session: OwnerSession = {
    query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as R[],
    db: drizzle({ client, schema }),
  };
  try {
    await client.query('begin');
    try {
      const result = await prepareThenRun(session);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}
