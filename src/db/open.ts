import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import * as schema from './schema/index.js';
import type { Db } from './types.js';

export type DatabaseHandle =
  { kind: 'pglite'; db: Db; client: PGlite; close(): Promise<void> } | { kind: 'postgres'; db: Db; pool: pg.Pool; close(): Promise<void> };

export type OpenDatabaseOptions =
  | { kind: 'postgres'; url: string; poolMax?: number; applicationName?: string }
  /** dataDir undefined = in-memory (tests); snapshot = a dumpDataDir() tarball to start from. */
  | { kind: 'pglite'; dataDir?: string; snapshot?: Blob };

// Each driver is imported only when used: a gateway on PostgreSQL never loads PGlite's WASM
// bundle, and an embedded install never loads pg (tens of MB of resident memory either way).
export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.kind === 'postgres') {
    const [{ default: pgModule }, { drizzle: drizzlePg }] = await Promise.all([import('pg'), import('drizzle-orm/node-postgres')]);
    const pool = new pgModule.Pool({
      connectionString: options.url,
      max: options.poolMax ?? 10,
      application_name: options.applicationName ?? 'portcullis',
      connectionTimeoutMillis: 10_000,
    });
    // A client that errors (server restart, killed backend) must not crash the process: the
    // query in flight fails on its own and the pool replaces the client. 'error' on the pool only
    // covers idle clients; a checked-out client emits it on itself, so listen there too.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = drizzlePg({ client: pool, schema }) as unknown as Db;
    return { kind: 'postgres', db, pool, close: () => pool.end() };
  }
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const [{ PGlite: PGliteClass }, { drizzle: drizzlePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
  ]);
  const client = await PGliteClass.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.snapshot ? { loadDataDir: options.snapshot } : {}),
  });
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return { kind: 'pglite', db, client, close: () => client.close() };
}

/** Readiness probe: one round trip. */
export async function pingDatabase(handle: DatabaseHandle): Promise<void> {
  if (handle.kind === 'pglite') await handle.client.query('select 1');
  else await handle.pool.query('select 1');
}
