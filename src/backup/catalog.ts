/**
 * What a backup contains, read from the database catalog rather than a hand-kept list, so a table
 * added by a later migration is backed up without anyone remembering to add it: every ordinary or
 * partitioned table in the public schema, never a partition on its own (rows are read and written
 * through the parent, whether request_logs is partitioned or not), in foreign-key order.
 */
import type { OwnerSession } from './owner-session.js';

export type TableColumn = { name: string; type: string; identityAlways: boolean };
export type CatalogTable = { name: string; columns: TableColumn[] };

export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function applicationTables(session: OwnerSession): Promise<CatalogTable[]> {
  const tables = await session.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`,
  );
  const columns = await session.query<{ table_name: string; name: string; type: string; identity: string }>(
    `select c.relname as table_name, a.attname as name, format_type(a.atttypid, a.atttypmod) as type, a.attidentity::text as identity
     from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
       and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
     order by c.relname, a.attnum`,
  );
  const edges = await session.query<{ child: string; parent: string }>(
    `select ch.relname as child, pa.relname as parent from pg_constraint k
     join pg_class ch on ch.oid = k.conrelid join pg_class pa on pa.oid = k.confrelid
     where k.contype = 'f' and k.conparentid = 0 and k.connamespace = 'public'::regnamespace`,
  );
  const byTable = new Map<string, TableColumn[]>(tables.map((t) => [t.name, []]));
  for (const c of columns) byTable.get(c.table_name)?.push({ name: c.name, type: c.type, identityAlways: c.identity === 'a' });
  return dependencyOrder([...byTable.keys()], edges).map((name) => ({ name, columns: byTable.get(name)! }));
}

/** Parents before children (Kahn's algorithm, alphabetical among equals so the order is stable). */
function dependencyOrder(names: string[], edges: { child: string; parent: string }[]): string[] {
  const known = new Set(names);
  const parents = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
  for (const { child, parent } of edges) if (known.has(child) && known.has(parent) && child !== parent) parents.get(child)!.add(parent);
  const ordered: string[] = [];
  const done = new Set<string>();
  while (ordered.length < names.length) {
    const ready = names.filter((n) => !done.has(n) && [...parents.get(n)!].every((p) => done.has(p)));
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among: ${names.filter((n) => !done.has(n)).join(', ')}`);
    for (const name of ready) {
      ordered.push(name);
      done.add(name);
    }
  }
  return ordered;
}

/** Migrations the database has applied, by their journal timestamp (drizzle's `created_at`). */
export async function appliedMigrations(session: OwnerSession): Promise<number[]> {
  const [exists] = await session.query<{ present: boolean }>(`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (!exists?.present) return [];
  const rows = await session.query<{ when: string }>(
    `select created_at::text as when from drizzle.__drizzle_migrations order by created_at`,
  );
  return rows.map((r) => Number(r.when));
}
