/**
 * The doctor checks that row-level security actually applies on PostgreSQL: the roles tenant
 * queries run as cannot bypass it, and every tenant table has it enabled and forced. A role with
 * BYPASSRLS or SUPERUSER skips every policy silently (FORCE ROW LEVEL SECURITY does not apply to
 * it), so one `ALTER ROLE` by a DBA would undo tenant isolation without any error.
 *
 * Which roles matter: withTenant/withRole (src/db/tenant.ts) switch every tenant query to
 * portcullis_api or portcullis_gateway with SET LOCAL ROLE, and the SECURITY DEFINER lookups run
 * as their owner portcullis_definer. PostgreSQL decides RLS bypass on the current role (the one
 * after SET ROLE, or a function's owner), never the login, and rolsuper/rolbypassrls are not
 * inherited through membership. So the login in DATABASE_URL is deliberately not checked: CI and
 * the all-in-one `start` log in as the superuser owner, and their tenant queries are still
 * filtered. The owner connection reads across tenants only in operator tools (backup, restore,
 * audit verify), which require BYPASSRLS on purpose (src/backup/owner-session.ts).
 */
import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/open.js';
import { queryRows } from '../db/rows.js';
import { SERVICE_ROLES } from '../db/schema/roles.js';
import type { DbOrTx } from '../db/types.js';
import type { Check } from './production-checks.js';

/** Created by migrations/0000_roles.sql; owns every SECURITY DEFINER function. */
const DEFINER_ROLE = 'portcullis_definer';
const TENANT_QUERY_ROLES: readonly string[] = [SERVICE_ROLES.api, SERVICE_ROLES.gateway, DEFINER_ROLE];

const ROLES_TITLE = 'Tenant query roles cannot bypass row-level security';
const TABLES_TITLE = 'Every tenant table has row-level security enabled and forced';

type RoleRow = { rolname: string; rolsuper: boolean; rolbypassrls: boolean };

export async function tenantRoleBypassCheck(db: DbOrTx): Promise<Check> {
  const rows = await queryRows<RoleRow & { login: string }>(
    db,
    sql`select rolname, rolsuper, rolbypassrls, session_user as login from pg_catalog.pg_roles
        where rolname in (${sql.join(
          TENANT_QUERY_ROLES.map((role) => sql`${role}`),
          sql`, `,
        )})`,
  );
  const found = new Map(rows.map((row) => [row.rolname, row]));
  const missing = TENANT_QUERY_ROLES.filter((role) => !found.has(role));
  const bypassing = rows.filter((row) => row.rolsuper || row.rolbypassrls);
  const bypassNames = bypassing.map(
    (row) => `${row.rolname} is ${[row.rolsuper && 'SUPERUSER', row.rolbypassrls && 'BYPASSRLS'].filter(Boolean).join(' and ')}`,
  );
  const problems = [
    ...(bypassNames.length > 0 ? [`row-level security is skipped for every query as: ${bypassNames.join(', ')}`] : []),
    ...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : []),
  ];
  const fixes = [
    ...(bypassing.length > 0
      ? [
          `as a superuser: ${bypassing
            .map((row) => `ALTER ROLE ${row.rolname}${row.rolsuper ? ' NOSUPERUSER' : ''}${row.rolbypassrls ? ' NOBYPASSRLS' : ''};`)
            .join(' ')}`,
        ]
      : []),
    ...(missing.length > 0 ? ['run `portcullis migrate` (it creates the roles)'] : []),
  ];
  const login = rows[0]?.login;
  return {
    id: 'rls-roles',
    title: ROLES_TITLE,
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? `${TENANT_QUERY_ROLES.join(', ')}: neither SUPERUSER nor BYPASSRLS${login ? ` (tenant queries switch to them from the login ${login})` : ''}`
        : problems.join('; '),
    fix: fixes.length > 0 ? fixes.join('; ') : 'ALTER ROLE <role> NOSUPERUSER NOBYPASSRLS;',
    level: 'required',
  };
}

type TableRow = { relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean };

export async function tenantTableRlsCheck(db: DbOrTx): Promise<Check> {
  // organizations is the tenant itself, isolated on its id; every other tenant table has org_id.
  // Partitions (request_logs_*) are included: a query naming a partition directly uses its own RLS.
  const rows = await queryRows<TableRow>(
    db,
    sql`select c.relname, c.relrowsecurity, c.relforcerowsecurity
        from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
          and (c.relname = 'organizations'
               or exists (select 1 from pg_catalog.pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped))
        order by c.relname`,
  );
  const unprotected = rows.filter((row) => !row.relrowsecurity || !row.relforcerowsecurity);
  const describe = (row: TableRow) => `${row.relname} (${row.relrowsecurity ? 'not forced' : 'not enabled'})`;
  return {
    id: 'rls-tables',
    title: TABLES_TITLE,
    ok: unprotected.length === 0,
    detail:
      unprotected.length === 0
        ? `${rows.length} tables`
        : `${unprotected.length} of ${rows.length} without: ${unprotected.map(describe).join(', ')}`,
    fix:
      unprotected.length > 0
        ? `as the owner: ${unprotected.map((row) => `ALTER TABLE ${row.relname} ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;`).join(' ')}`
        : 'ALTER TABLE <table> ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;',
    level: 'required',
  };
}

export async function rowLevelSecurityChecks(handle: DatabaseHandle): Promise<Check[]> {
  if (handle.kind === 'pglite') {
    // Embedded: the database is private to this data dir; only migrations define its roles and tables.
    const detail = 'embedded: not applicable (PostgreSQL only)';
    return [
      { id: 'rls-roles', title: ROLES_TITLE, ok: true, detail, fix: 'none', level: 'required' },
      { id: 'rls-tables', title: TABLES_TITLE, ok: true, detail, fix: 'none', level: 'required' },
    ];
  }
  return [await tenantRoleBypassCheck(handle.db), await tenantTableRlsCheck(handle.db)];
}
