// Request logs on PostgreSQL with monthly partitions (docs/scaling.md): insert throughput of the
// gateway's batched writer into the partitioned table (default batches of 500 against one row per
// write round), and the time to remove one month of rows by dropping its partition against the
// per-org batched delete.
// Usage: npx tsx bench/request-log-writer.ts [postgres URL of a server, default
//   postgres://postgres@127.0.0.1:5432/postgres] [rows, default 100000]
// Works in a scratch database it creates and drops. Figures move with other load on the machine:
// compare them side by side, in one run.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { generateMasterKey, parseMasterKey } from '../src/crypto/envelope.js';
import { createMasterKeyring } from '../src/crypto/master-keyring.js';
import { runMigrations } from '../src/db/migrate.js';
import { openDatabase } from '../src/db/open.js';
import { queryOne } from '../src/db/rows.js';
import { organizations } from '../src/db/schema/index.js';
import { createScopedDatabase, type ScopedDatabase } from '../src/db/tenant.js';
import type { Db } from '../src/db/types.js';
import type { RequestLogEntry } from '../src/gateway/request-log/types.js';
import { createRequestLogWriter } from '../src/gateway/request-log/writer.js';
import { createLogger } from '../src/logging/logger.js';

const serverUrl = process.argv[2] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const rows = Number(process.argv[3] ?? 100_000);
const ORGS = 10;
const UNBATCHED_ROWS = Math.min(5_000, rows);
const logger = createLogger({ level: 'silent' });
const keyring = createMasterKeyring(parseMasterKey(generateMasterKey()));

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

function entry(orgId: string, i: number): RequestLogEntry {
  return {
    orgId,
    requestId: `bench-${i}`,
    endpoint: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    servedModel: 'gpt-4o-mini-2024-07-18',
    provider: 'openai',
    attempts: 1,
    status: 200,
    latencyMs: 120 + (i % 50),
    inputTokens: 420,
    outputTokens: 96,
    costMicroUsd: 121,
    cacheStatus: 'miss',
    usageCounted: true,
    createdAt: new Date(),
  };
}

/** Rows per second through the writer, from the first enqueue until flush() has written them all. */
async function writerThroughput(gateway: ScopedDatabase, orgIds: string[], count: number, maxBatch?: number): Promise<number> {
  const writer = createRequestLogWriter({ db: gateway, keyring, logger, maxBuffered: count, ...(maxBatch ? { maxBatch } : {}) });
  const started = performance.now();
  for (let i = 0; i < count; i++) writer.enqueue(entry(orgIds[i % orgIds.length]!, i));
  await writer.flush(600_000);
  const seconds = (performance.now() - started) / 1000;
  await writer.close();
  const stats = writer.stats();
  if (stats.written !== count) throw new Error(`writer wrote ${stats.written} of ${count} rows (dropped ${stats.dropped})`);
  return count / seconds;
}

/** A partition for the UTC month `monthsAgo` back, filled with `count` rows of one org (as the owner). */
async function oldMonthOf(db: Db, orgId: string, monthsAgo: number, count: number): Promise<{ name: string; end: Date }> {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsAgo + 1, 1));
  const name = `request_logs_p${start.getUTCFullYear()}${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
  await db.execute(
    sql.raw(`create table ${name} partition of request_logs for values from ('${start.toISOString()}') to ('${end.toISOString()}')`),
  );
  await db.execute(sql.raw(`alter table ${name} owner to portcullis_definer`));
  await db.execute(sql.raw(`alter table ${name} enable row level security, force row level security`));
  await db.execute(
    sql`insert into request_logs (org_id, request_id, endpoint, status, input_tokens, output_tokens, created_at)
        select ${orgId}::uuid, 'old-' || n, '/v1/chat/completions', 200, 420, 96, ${start.toISOString()}::timestamptz + (n % 86400) * interval '1 second'
        from generate_series(1, ${count}) n`,
  );
  return { name, end };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

const name = `portcullis_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
await admin(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const handle = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 4 });
try {
  await runMigrations(handle);
  const api = createScopedDatabase(handle.db, 'api');
  const gateway = createScopedDatabase(handle.db, 'gateway');
  const orgIds = Array.from({ length: ORGS }, () => randomUUID());
  for (const orgId of orgIds) await api.withTenant(orgId, (tx) => tx.insert(organizations).values({ id: orgId, name: `bench-${orgId}` }));

  const batched = await writerThroughput(gateway, orgIds, rows);
  const oneOrg = await writerThroughput(gateway, orgIds.slice(0, 1), rows);
  const unbatched = await writerThroughput(gateway, orgIds, UNBATCHED_ROWS, 1);

  const [oldOrg] = orgIds;
  await oldMonthOf(handle.db, oldOrg!, 14, rows);
  const dropMs = await timed(() => api.withRole((tx) => tx.execute(sql`select * from portcullis_drop_expired_request_log_partitions(30)`)));
  const { end } = await oldMonthOf(handle.db, oldOrg!, 14, rows);
  const deleteMs = await timed(async () => {
    for (;;) {
      const removed = await api.withTenant(oldOrg!, (tx) =>
        queryOne<{ n: number }>(
          tx,
          sql`select portcullis_prune_request_logs(${oldOrg}::uuid, ${end.toISOString()}::timestamptz, 5000) as n`,
        ),
      );
      if (Number(removed?.n ?? 0) === 0) break;
    }
  });
  const server = await queryOne<{ v: string; sync: string }>(
    handle.db,
    sql`select current_setting('server_version') as v, current_setting('synchronous_commit') as sync`,
  );

  console.log(`PostgreSQL ${server?.v} (synchronous_commit ${server?.sync}), node ${process.version}`);
  console.log(
    `batched writer, ${ORGS} orgs (a round of 500 = one INSERT of ~50 rows per org): ${Math.round(batched)} rows/s over ${rows} rows`,
  );
  console.log(`batched writer, 1 org (one INSERT of 500 rows per round): ${Math.round(oneOrg)} rows/s over ${rows} rows`);
  console.log(`one row per write round (maxBatch 1): ${Math.round(unbatched)} rows/s over ${UNBATCHED_ROWS} rows`);
  console.log(
    `remove one month of ${rows} rows: drop partition ${Math.round(dropMs)} ms, batched delete (5000 per batch) ${Math.round(deleteMs)} ms`,
  );
} finally {
  await handle.close();
  await admin(`drop database if exists ${name} with (force)`);
}
