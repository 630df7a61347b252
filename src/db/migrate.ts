import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { migrationsFolder } from '../paths.js';
import type { DatabaseHandle } from './open.js';

/** Arbitrary constant: the advisory lock that serialises migrations across replicas. */
const MIGRATION_LOCK_ID = 727_274_001;

const journalSchema = z.object({ entries: z.array(z.object({ tag: z.string(), when: z.number() })) });

export function expectedMigrations(): { tag: string; when: number }[] {
  return journalSchema.parse(JSON.parse(readFileSync(join(migrationsFolder, 'meta', '_journal.json'), 'utf8'))).entries;
}

/**
 * Applies pending migrations. On PostgreSQL an advisory lock makes concurrent starts (several
 * replicas, or a migrate job racing a service) wait for each other instead of colliding.
 * `folder` is another migrations folder (restore: this build's migrations cut at a backup's version).
 */
export async function runMigrations(handle: DatabaseHandle, folder: string = migrationsFolder): Promise<void> {
  if (handle.kind === 'pglite') {
    const [{ migrate: migratePglite }, { drizzle: drizzlePglite }] = await Promise.all([
      import('drizzle-orm/pglite/migrator'),
      import('drizzle-orm/pglite'),
    ]);
    await migratePglite(drizzlePglite({ client: handle.client }), { migrationsFolder: folder });
    return;
  }
  const [{ migrate: migratePg }, { drizzle: drizzlePg }] = await Promise.all([
    import('drizzle-orm/node-postgres/migrator'),
    import('drizzle-orm/node-postgres'),
  ]);
  const client = await handle.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    try {
      await migratePg(drizzlePg({ client }), { migrationsFolder: folder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]);
    }
  } finally {
    client.release();
  }
}

/** Number of migrations in this build that the database has not applied (0 = up to date). */
export async function pendingMigrationCount(handle: DatabaseHandle): Promise<number> {
  const expected = expectedMigrations();
  const sql = `select created_at::text as created_at from drizzle.__drizzle_migrations`;
  let applied: number[];
  try {
    const rows =
      handle.kind === 'pglite'
        ? (await handle.client.query<{ created_at: string }>(sql)).rows
        : (await handle.pool.query<{ created_at: string }>(sql)).rows;
    applied = rows.map((r) => Number(r.created_at));
  } catch (error) {
    // No journal yet (fresh database): nothing applied. Anything else (a login without the read
    // grant, a dropped connection) is not "behind" and must not be reported as such.
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined;
    if (code === '42P01' || code === '3F000') return expected.length;
    throw error;
  }
  const appliedSet = new Set(applied);
  return expected.filter((m) => !appliedSet.has(m.when)).length;
}
