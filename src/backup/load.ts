/**
 * Loads dump records (records.ts) into a database, all or nothing: the target is migrated to the
 * backup's schema version, then ONE owner transaction empties it (refusing, without --force, a
 * target that has rows), inserts every row in foreign-key order with user triggers off (the audit
 * chain trigger would otherwise re-link restored events), checks the row counts, fixes sequences,
 * checks that the configured master key opens a data key and that every audit chain verifies, and
 * records the restore in the instance audit chain. Any failure rolls everything back. Afterwards
 * the database is migrated on to this build's schema.
 */
import { sql } from 'drizzle-orm';
import { verifyAllChains } from '../audit/chain.js';
import { checkpointVerifiers } from '../audit/checkpoint-signing.js';
import { unwrapDataKeyWith } from '../crypto/data-key-wrapping.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import type { DatabaseHandle } from '../db/open.js';
import { applyPendingMigrations } from '../server/migrations.js';
import type { AuditActor } from '../audit/record.js';
import { applicationTables, appliedMigrations, ident, type CatalogTable } from './catalog.js';
import { withOwnerTransaction, type OwnerSession } from './owner-session.js';
import { parseDumpRecord, type Manifest } from './records.js';
import { backupSchemaPosition, migrateToPosition } from './schema-version.js';

export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefusedError';
  }
}

/** Rows every freshly migrated database has (migration 0016 inserts the instance settings row): not "data". */
const SEEDED_BY_MIGRATIONS = new Set(['instance_settings']);

export type LoadOptions = {
  /** Replace rows the target already has (in the same transaction) instead of refusing. */
  force: boolean;
  keyring: MasterKeyring;
  /** Verifies retention checkpoints of the audit chains (they are signed with AUTH_SECRET). */
  authSecret: string;
  /**
   * AUTH_SECRET_PREVIOUS: a backup taken before a rotation has checkpoints signed with an earlier
   * secret. Optional so that callers which never rotate need not say so.
   */
  previousAuthSecrets?: readonly string[];
  actor: AuditActor;
  /** What the audit event says was restored (a file name, or "embedded data dir"). */
  origin: string;
};

export type LoadResult = {
  rowCounts: Record<string, number>;
  auditChains: number;
  auditEvents: number;
  /** This build's migrations applied after the rows were loaded (a backup from an older build). */
  migratedAfter: number;
};

export async function loadRecords(target: DatabaseHandle, records: AsyncIterable<string>, options: LoadOptions): Promise<LoadResult> {
  const iterator = records[Symbol.asyncIterator]();
  try {
    return await loadFrom(target, iterator, options);
  } finally {
    // Ends the source too (closes the backup file, or the source transaction) when loading stopped early.
    await iterator.return?.(undefined);
  }
}

async function loadFrom(target: DatabaseHandle, iterator: AsyncIterator<string>, options: LoadOptions): Promise<LoadResult> {
  const first = await iterator.next();
  const manifest = first.done ? undefined : parseDumpRecord(first.value);
  if (manifest?.kind !== 'manifest') throw new RestoreRefusedError('the backup does not start with its manifest');
  const position = backupSchemaPosition(manifest.migrations);

  const targetMigrations = await withOwnerTransaction(target, 'snapshot', appliedMigrations);
  if (targetMigrations.length > position || targetMigrations.some((when, i) => manifest.migrations[i] !== when))
    throw new RestoreRefusedError(
      `the target database is at a newer schema (${targetMigrations.length} migrations) than the backup (${position}): restore into a new, empty database`,
    );
  await migrateToPosition(target, position);

  const result = await withOwnerTransaction(target, 'write', async (session) => {
    const tables = await matchTables(session, manifest);
    await emptyTarget(session, tables, options.force);
    const withTriggers = await tablesWithUserTriggers(session);
    for (const name of withTriggers) await session.query(`alter table ${ident(name)} disable trigger user`);
    const rowCounts = await insertAll(session, manifest, tables, iterator);
    for (const name of withTriggers) await session.query(`alter table ${ident(name)} enable trigger user`);
    await checkCounts(session, rowCounts);
    await fixSequences(session);
    await checkMasterKey(session, options.keyring);
    // The chain is read through its SECURITY DEFINER functions, whose role RLS does apply to.
    await session.query('set local row_security = on');
    const chains = await verifyAllChains(session.db, checkpointVerifiers(options.authSecret, options.previousAuthSecrets ?? []));
    const broken = chains.find((c) => !c.ok);
    if (broken)
      throw new RestoreRefusedError(
        `after loading, audit chain ${broken.chain} does not verify (${broken.broken?.reason ?? 'broken'} at event ${broken.broken?.seq ?? '?'}); nothing was restored`,
      );
    await session.db.execute(
      sql`select portcullis_append_instance_audit(${options.actor.type}, ${options.actor.id}, null, null, 'instance.backup_restored', null, null, 'success', null, null, ${JSON.stringify({ from: options.origin, schemaMigrations: position, backupCreatedAt: manifest.createdAt, rows: Object.values(rowCounts).reduce((a, b) => a + b, 0) })}::jsonb)`,
    );
    return { rowCounts, auditChains: chains.length, auditEvents: chains.reduce((n, c) => n + c.events, 0) };
  });
  // Rows from an older build now go through the remaining migrations, as in any upgrade.
  const migratedAfter = await applyPendingMigrations(target, options.actor);
  return { ...result, migratedAfter };
}

async function matchTables(session: OwnerSession, manifest: Manifest): Promise<Map<string, CatalogTable>> {
  const present = new Map((await applicationTables(session)).map((t) => [t.name, t]));
  for (const table of manifest.tables) {
    const here = present.get(table.name);
    const names = (cols: { name: string }[]) =>
      cols
        .map((c) => c.name)
        .sort()
        .join(',');
    if (!here || names(here.columns) !== names(table.columns))
      throw new RestoreRefusedError(`table ${table.name} of the backup does not match the target's schema at the same version`);
  }
  return present;
}

async function emptyTarget(session: OwnerSession, tables: Map<string, CatalogTable>, force: boolean): Promise<void> {
  const withRows: string[] = [];
  // `portcullis migrate` on the new database (the documented first step on PostgreSQL) audits
  // itself; a database whose only history is that is still empty.
  const [history] = await session.query<{ other: boolean }>(
    `select exists (select 1 from audit_events where org_id is not null or action <> 'instance.migrations_applied') as other`,
  );
  const onlyMigrationHistory = history?.other === false;
  for (const name of tables.keys()) {
    if (SEEDED_BY_MIGRATIONS.has(name)) continue;
    if (onlyMigrationHistory && (name === 'audit_events' || name === 'audit_chain_heads')) continue;
    const [row] = await session.query<{ present: boolean }>(`select exists (select 1 from ${ident(name)}) as present`);
    if (row?.present) withRows.push(name);
  }
  if (withRows.length > 0 && !force)
    throw new RestoreRefusedError(
      `the target database already has data (${withRows.join(', ')}); restore into an empty database, or pass --force to replace everything in it`,
    );
  await session.query(`truncate table ${[...tables.keys()].map(ident).join(', ')}`);
}

async function tablesWithUserTriggers(session: OwnerSession): Promise<string[]> {
  const rows = await session.query<{ name: string }>(
    `select distinct c.relname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and not t.tgisinternal and not c.relispartition order by 1`,
  );
  return rows.map((r) => r.name);
}

async function insertAll(
  session: OwnerSession,
  manifest: Manifest,
  tables: Map<string, CatalogTable>,
  iterator: AsyncIterator<string>,
): Promise<Record<string, number>> {
  const inserted: Record<string, number> = Object.fromEntries(manifest.tables.map((t) => [t.name, 0]));
  const declared = new Map(manifest.tables.map((t) => [t.name, t]));
  const order = manifest.tables.map((t) => t.name);
  let current = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) throw new RestoreRefusedError('the backup ends without its end record');
    const record = parseDumpRecord(next.value);
    if (record.kind === 'manifest') throw new RestoreRefusedError('the backup has a second manifest');
    if (record.kind === 'end') {
      for (const [name, count] of Object.entries(inserted))
        if (record.rowCounts[name] !== count)
          throw new RestoreRefusedError(`table ${name}: the backup lists ${record.rowCounts[name] ?? 0} rows but carries ${count}`);
      return inserted;
    }
    // Tables arrive in the manifest's (foreign-key) order; anything else is refused.
    const index = order.indexOf(record.table);
    if (index < current) throw new RestoreRefusedError(`rows of table ${record.table} arrive out of order`);
    current = index;
    const columns = declared.get(record.table)!.columns;
    const types = new Map(tables.get(record.table)!.columns.map((c) => [c.name, c]));
    const overriding = columns.some((c) => types.get(c.name)!.identityAlways) ? ' overriding system value' : '';
    const casts = columns.map((c, i) => `(e.r->>${i})::${types.get(c.name)!.type}`).join(', ');
    for (const row of record.rows)
      if (row.length !== columns.length) throw new RestoreRefusedError(`a row of table ${record.table} has the wrong number of values`);
    await session.query(
      `insert into ${ident(record.table)} (${columns.map((c) => ident(c.name)).join(', ')})${overriding} select ${casts} from json_array_elements($1::json) as e(r)`,
      [JSON.stringify(record.rows)],
    );
    inserted[record.table]! += record.rows.length;
  }
}

async function checkCounts(session: OwnerSession, expected: Record<string, number>): Promise<void> {
  for (const [name, count] of Object.entries(expected)) {
    const [row] = await session.query<{ n: string }>(`select count(*)::text as n from ${ident(name)}`);
    if (Number(row?.n) !== count) throw new RestoreRefusedError(`table ${name}: ${row?.n ?? 0} rows after loading, expected ${count}`);
  }
}

async function fixSequences(session: OwnerSession): Promise<void> {
  const owned = await session.query<{ table_name: string; column_name: string; seq: string }>(
    `select c.relname as table_name, a.attname as column_name, s.seq
     from pg_class c join pg_namespace n on n.oid = c.relnamespace
     join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
     cross join lateral (select pg_get_serial_sequence(quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attname) as seq) s
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and s.seq is not null`,
  );
  for (const { table_name, column_name, seq } of owned)
    await session.query(
      `select setval($1::regclass, coalesce((select max(${ident(column_name)}) from ${ident(table_name)}), 0) + 1, false)`,
      [seq],
    );
}

/** Rows hold provider keys and secrets under data keys wrapped by the master key: a restore without it would be useless. */
async function checkMasterKey(session: OwnerSession, keyring: MasterKeyring): Promise<void> {
  const [key] = await session.query<{ org_id: string; id: string; master_key_id: string; wrapped: string }>(
    `select org_id::text as org_id, id::text as id, master_key_id, encode(wrapped_key, 'hex') as wrapped
     from tenant_keys order by (status = 'active') desc, created_at desc limit 1`,
  );
  if (!key) return;
  try {
    const opened = await unwrapDataKeyWith(keyring, key.master_key_id, Buffer.from(key.wrapped, 'hex'), {
      orgId: key.org_id,
      dataKeyId: key.id,
    });
    opened.fill(0);
  } catch {
    throw new RestoreRefusedError(
      `the configured master key cannot open the backup's data keys (they are wrapped by master key ${key.master_key_id}): restore with the MASTER_KEY (or MASTER_KEY_PROVIDER) of the deployment that made the backup; nothing was restored`,
    );
  }
}
