import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/open.js';
import { runMigrations } from '../../src/db/migrate.js';
import { createScopedDatabase, type ScopedDatabase } from '../../src/db/tenant.js';
import { generateMasterKey, parseMasterKey } from '../../src/crypto/envelope.js';
import { createMasterKeyring } from '../../src/crypto/master-keyring.js';

/** The master keys the test handles seal audit events' personal data with (one per process, like a deployment's). */
export const testKeyring = createMasterKeyring(parseMasterKey(generateMasterKey()));

export type TestDatabase = {
  handle: DatabaseHandle;
  /** As the api service: portcullis_api. */
  api: ScopedDatabase;
  /** As the gateway service: portcullis_gateway. */
  gateway: ScopedDatabase;
  close(): Promise<void>;
};

export const usingPostgres = Boolean(process.env.TEST_DATABASE_URL);

/** A migrated database: PostgreSQL when TEST_DATABASE_URL is set, else a PGlite loaded from the snapshot. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  const handle = url
    ? await openDatabase({ kind: 'postgres', url, poolMax: 4 })
    : await openDatabase({ kind: 'pglite', snapshot: new Blob([readFileSync(inject('pgliteSnapshotPath'))]) });
  return {
    handle,
    api: createScopedDatabase(handle.db, 'api', undefined, testKeyring),
    gateway: createScopedDatabase(handle.db, 'gateway'),
    close: () => handle.close(),
  };
}

/**
 * A database no other test file touches: on PGlite every test database already is one (loaded
 * from the snapshot); on PostgreSQL a fresh database is created and migrated, and dropped on
 * close. For tests of instance-wide state (the first administrator) that shared data would break.
 */
export async function openIsolatedTestDatabase(): Promise<TestDatabase> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return openTestDatabase();
  const name = `portcullis_iso_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const isolatedUrl = new URL(url);
  isolatedUrl.pathname = `/${name}`;
  const handle = await openDatabase({ kind: 'postgres', url: isolatedUrl.toString(), poolMax: 4 });
  await runMigrations(handle);
  return {
    handle,
    api: createScopedDatabase(handle.db, 'api', undefined, testKeyring),
    gateway: createScopedDatabase(handle.db, 'gateway'),
    async close() {
      await handle.close().catch(() => undefined); // the runtime may have closed it already
      const cleanup = new pg.Client({ connectionString: url });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/** Unique names so tests sharing one PostgreSQL database never collide. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The SQLSTATE of a failed query, unwrapping drizzle's error wrapper. */
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export async function expectPgError(promise: Promise<unknown>, code: string): Promise<void> {
  let failure: unknown;
  try {
    await promise;
  } catch (error) {
    failure = error;
  }
  if (failure === undefined) throw new Error(`expected SQLSTATE ${code}, but the statement succeeded`);
  const actual = pgErrorCode(failure);
  if (actual !== code)
    throw new Error(
      `expected SQLSTATE ${code}, got ${actual ?? 'none'}: ${failure instanceof Error ? failure.message : 'non-error thrown'}`,
    );
}

/** SQLSTATEs the RLS tests expect. */
export const PG = { insufficientPrivilege: '42501', foreignKeyViolation: '23503' } as const;
