/**
 * Row-level security and role grants, on PGlite by default and on PostgreSQL with
 * TEST_DATABASE_URL. Every assertion here is about what a service role can NOT do.
 */
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { accounts, apiKeys, auditEvents, members, organizations, projects, requestLogs, users } from '../src/db/schema/index.js';
import { lookupApiKey, userMemberships } from '../src/db/definer.js';
import pg from 'pg';
import { expectPgError, openTestDatabase, PG, uniqueName, usingPostgres, type TestDatabase } from './support/database.js';

type SeededOrg = { orgId: string; projectId: string; apiKeyId: string; lookupId: string; userId: string };

let db: TestDatabase;
let a: SeededOrg;
let b: SeededOrg;

async function seedOrg(): Promise<SeededOrg> {
  const orgId = randomUUID();
  const userId = randomUUID();
  const lookupId = randomUUID().replace(/-/g, '').slice(0, 12);
  await db.api.withRole(async (tx) => {
    await tx.insert(users).values({ id: userId, name: 'Owner', email: `${userId}@example.test` });
    await tx
      .insert(accounts)
      .values({ id: randomUUID(), accountId: userId, providerId: 'credential', userId, password: 'scrypt-hash-of-a-password' });
  });
  return db.api.withTenant(orgId, async (tx) => {
    await tx.insert(organizations).values({ id: orgId, name: uniqueName('org') });
    await tx.insert(members).values({ orgId, userId, role: 'owner' });
    const [project] = await tx.insert(projects).values({ orgId, name: 'default' }).returning({ id: projects.id });
    const [key] = await tx
      .insert(apiKeys)
      .values({ orgId, projectId: project!.id, name: 'ci', kind: 'live', lookupId, secretHash: '$2b$10$hash', last4: 'abcd' })
      .returning({ id: apiKeys.id });
    await tx.insert(auditEvents).values({ orgId, actorType: 'system', actorId: 'test', action: 'org.created', outcome: 'success' });
    return { orgId, projectId: project!.id, apiKeyId: key!.id, lookupId, userId };
  });
}

beforeAll(async () => {
  db = await openTestDatabase();
  a = await seedOrg();
  b = await seedOrg();
});
afterAll(async () => db?.close());

describe('tenant isolation as portcullis_api', () => {
  it('a query with no where-clause returns only the current org rows', async () => {
    const rows = await db.api.withTenant(a.orgId, (tx) => tx.select().from(projects));
    expect(rows.map((r) => r.orgId)).toEqual([a.orgId]);
    const raw = await db.api.withTenant(a.orgId, (tx) => queryRows<{ org_id: string }>(tx, sql`select org_id from api_keys`));
    expect(raw).toEqual([{ org_id: a.orgId }]);
    const orgs = await db.api.withTenant(a.orgId, (tx) => tx.select({ id: organizations.id }).from(organizations));
    expect(orgs).toEqual([{ id: a.orgId }]);
  });

  it('cannot insert a row for another org', async () => {
    await expectPgError(
      db.api.withTenant(a.orgId, (tx) => tx.insert(projects).values({ orgId: b.orgId, name: uniqueName('p') })),
      PG.insufficientPrivilege,
    );
  });

  it('cannot update or delete another org row: they are invisible, so nothing changes', async () => {
    const updated = await db.api.withTenant(a.orgId, (tx) =>
      tx.update(projects).set({ name: 'hijacked' }).where(eq(projects.id, b.projectId)).returning(),
    );
    const deleted = await db.api.withTenant(a.orgId, (tx) => tx.delete(apiKeys).where(eq(apiKeys.id, b.apiKeyId)).returning());
    expect(updated).toEqual([]);
    expect(deleted).toEqual([]);
    const stillThere = await db.api.withTenant(b.orgId, (tx) => tx.select().from(projects));
    expect(stillThere.map((p) => p.name)).toEqual(['default']);
  });

  it('cannot move a row to another org', async () => {
    await expectPgError(
      db.api.withTenant(a.orgId, (tx) => tx.update(projects).set({ orgId: b.orgId }).where(eq(projects.id, a.projectId))),
      PG.insufficientPrivilege,
    );
  });

  it('cannot reference another org project through a foreign key (foreign keys bypass RLS, composite keys do not)', async () => {
    await expectPgError(
      db.api.withTenant(a.orgId, (tx) =>
        tx.insert(apiKeys).values({
          orgId: a.orgId,
          projectId: b.projectId,
          name: uniqueName('k'),
          kind: 'live',
          lookupId: randomUUID().slice(0, 12),
          secretHash: 'x',
          last4: 'wxyz',
        }),
      ),
      PG.foreignKeyViolation,
    );
  });

  it('with no org set: no rows and no error', async () => {
    const rows = await db.api.withRole((tx) => tx.select().from(projects));
    expect(rows).toEqual([]);
  });

  it('with the empty string a reused connection leaves behind: no rows and no error', async () => {
    // A transaction-local set_config leaves the setting defined as '' once the transaction ends.
    await db.api.withTenant(a.orgId, () => Promise.resolve());
    const rows = await db.handle.db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.org_id', '', true), set_config('role', 'portcullis_api', true)`);
      const setting = await queryRows<{ value: string }>(tx, sql`select current_setting('app.org_id', true) as value`);
      expect(setting[0]?.value).toBe('');
      return tx.select().from(apiKeys);
    });
    expect(rows).toEqual([]);
  });

  it('cannot change an org plan directly (column grant), only through portcullis_set_org_plan', async () => {
    await expectPgError(
      db.api.withTenant(a.orgId, (tx) => tx.update(organizations).set({ plan: 'enterprise' })),
      PG.insufficientPrivilege,
    );
    const renamed = await db.api.withTenant(a.orgId, (tx) =>
      tx.update(organizations).set({ updatedAt: new Date() }).returning({ id: organizations.id }),
    );
    expect(renamed).toEqual([{ id: a.orgId }]);
  });

  it('cannot update or delete audit events, in its own org or any other', async () => {
    await expectPgError(
      db.api.withTenant(a.orgId, (tx) => tx.update(auditEvents).set({ action: 'org.updated' })),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.api.withTenant(a.orgId, (tx) => tx.delete(auditEvents)),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.api.withTenant(a.orgId, (tx) => tx.execute(sql`truncate audit_events`)),
      PG.insufficientPrivilege,
    );
  });

  it('cannot insert an audit event into another org chain or the instance chain directly', async () => {
    await expectPgError(
      db.api.withTenant(a.orgId, (tx) =>
        tx.insert(auditEvents).values({ orgId: b.orgId, actorType: 'system', action: 'org.updated', outcome: 'success' }),
      ),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.api.withTenant(a.orgId, (tx) =>
        tx.insert(auditEvents).values({ orgId: null, actorType: 'system', action: 'org.updated', outcome: 'success' }),
      ),
      PG.insufficientPrivilege,
    );
  });

  it('cannot mint an instance admin or read setup tokens', async () => {
    await expectPgError(
      db.api.withRole((tx) => tx.execute(sql`insert into instance_admins (user_id) values (${a.userId})`)),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.api.withRole((tx) => tx.execute(sql`select * from setup_tokens`)),
      PG.insufficientPrivilege,
    );
  });
});

describe('portcullis_gateway', () => {
  it('reads only its current org configuration', async () => {
    const keys = await db.gateway.withTenant(a.orgId, (tx) => tx.select({ id: apiKeys.id, orgId: apiKeys.orgId }).from(apiKeys));
    expect(keys).toEqual([{ id: a.apiKeyId, orgId: a.orgId }]);
  });

  it('cannot UPDATE or DELETE api_keys, even in its own org', async () => {
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) => tx.update(apiKeys).set({ revokedAt: null }).where(eq(apiKeys.id, a.apiKeyId))),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) => tx.delete(apiKeys).where(eq(apiKeys.id, a.apiKeyId))),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) =>
        tx.insert(apiKeys).values({
          orgId: a.orgId,
          projectId: a.projectId,
          name: 'x',
          kind: 'live',
          lookupId: 'gatewaymint1',
          secretHash: 'x',
          last4: 'xxxx',
        }),
      ),
      PG.insufficientPrivilege,
    );
  });

  it('cannot read API-key hashes directly (only through the lookup function)', async () => {
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) => tx.execute(sql`select secret_hash from api_keys`)),
      PG.insufficientPrivilege,
    );
  });

  it('cannot read users, sessions or password hashes', async () => {
    await expectPgError(
      db.gateway.withRole((tx) => tx.select({ password: accounts.password }).from(accounts)),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.gateway.withRole((tx) => tx.select().from(users)),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.gateway.withRole((tx) => tx.execute(sql`select token from sessions`)),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) => tx.select().from(members)),
      PG.insufficientPrivilege,
    );
  });

  it('appends request logs for its own org only, and cannot read or change them', async () => {
    await db.gateway.withTenant(a.orgId, (tx) =>
      tx.insert(requestLogs).values({ orgId: a.orgId, requestId: 'req_1', endpoint: '/v1/chat/completions', status: 200 }),
    );
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) =>
        tx.insert(requestLogs).values({ orgId: b.orgId, requestId: 'req_2', endpoint: '/v1/chat/completions', status: 200 }),
      ),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) => tx.select().from(requestLogs)),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) => tx.delete(requestLogs)),
      PG.insufficientPrivilege,
    );
  });

  it('cannot write audit events or change them', async () => {
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) =>
        tx.insert(auditEvents).values({ orgId: a.orgId, actorType: 'system', action: 'org.updated', outcome: 'success' }),
      ),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) => tx.update(auditEvents).set({ action: 'x' })),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) => tx.delete(auditEvents)),
      PG.insufficientPrivilege,
    );
  });
});

describe('SECURITY DEFINER lookups', () => {
  it('portcullis_lookup_api_key returns exactly its columns for one key, to the gateway only', async () => {
    const rows = await db.gateway.withRole((tx) =>
      queryRows<Record<string, unknown>>(tx, sql`select * from portcullis_lookup_api_key(${a.lookupId})`),
    );
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!).sort()).toEqual([
      'allowed_models',
      'expires_at',
      'id',
      'ip_allowlist',
      'kind',
      'limits',
      'org_id',
      'project_id',
      'revoked_at',
      'secret_hash',
    ]);
    const typed = await db.gateway.withRole((tx) => lookupApiKey(tx, a.lookupId));
    expect(typed).toMatchObject({ id: a.apiKeyId, orgId: a.orgId, projectId: a.projectId, kind: 'live' });
    expect(await db.gateway.withRole((tx) => lookupApiKey(tx, 'doesnotexist'))).toBeUndefined();
    await expectPgError(
      db.api.withRole((tx) => lookupApiKey(tx, a.lookupId)),
      PG.insufficientPrivilege,
    );
  });

  it('portcullis_user_memberships returns only that user memberships, to the api only', async () => {
    const memberships = await db.api.withRole((tx) => userMemberships(tx, a.userId));
    expect(memberships).toEqual([{ orgId: a.orgId, orgName: expect.any(String), role: 'owner', projectIds: null }]);
    const rows = await db.api.withRole((tx) =>
      queryRows<Record<string, unknown>>(tx, sql`select * from portcullis_user_memberships(${a.userId})`),
    );
    expect(Object.keys(rows[0]!).sort()).toEqual(['org_id', 'org_name', 'project_ids', 'role']);
    await expectPgError(
      db.gateway.withRole((tx) => userMemberships(tx, a.userId)),
      PG.insufficientPrivilege,
    );
  });

  it('no definer function is executable by PUBLIC', async () => {
    const rows = await queryRows<{ proname: string; public_can_execute: boolean; definer: boolean; owner: string }>(
      db.handle.db,
      sql`select p.proname, has_function_privilege('public', p.oid, 'execute') as public_can_execute, p.prosecdef as definer, pg_get_userbyid(p.proowner) as owner
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'public' and p.proname like 'portcullis_%'`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(7);
    for (const row of rows) expect(row).toMatchObject({ public_can_execute: false, definer: true, owner: 'portcullis_definer' });
  });

  // Every tenant table: org_id (organizations: its own id), RLS enabled and forced, and the one
  // permissive policy the service roles have is the org filter. `relkind` 'p' matters: request_logs
  // is partitioned by month (0027). Its partitions (relkind 'r', relispartition) are checked apart:
  // a query naming the parent is filtered by the parent's policies whichever partition holds the
  // row (PostgreSQL ignores the partitions' own policies then); a query naming a partition uses
  // the partition's, so each partition has RLS forced, no policy (nothing passes) and no grant.
  it('every tenant table, partitioned ones included, has RLS enabled and forced with the org policy', async () => {
    const tables = await queryRows<{
      relname: string;
      relkind: string;
      column: string;
      relrowsecurity: boolean;
      relforcerowsecurity: boolean;
    }>(
      db.handle.db,
      sql`select c.relname, c.relkind::text as relkind, case when c.relname = 'organizations' then 'id' else 'org_id' end as column,
                 c.relrowsecurity, c.relforcerowsecurity
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition
             and (c.relname = 'organizations'
                  or exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'org_id' and not a.attisdropped))`,
    );
    expect(tables.length).toBeGreaterThanOrEqual(10);
    expect(tables.find((t) => t.relname === 'request_logs')).toMatchObject({ relkind: 'p' });
    const policies = await queryRows<{
      tablename: string;
      policyname: string;
      cmd: string;
      roles: string[];
      qual: string;
      with_check: string;
    }>(
      db.handle.db,
      sql`select tablename, policyname, cmd, array(select r::text from unnest(roles) r order by 1) as roles, qual, with_check
            from pg_policies
           where schemaname = 'public' and permissive = 'PERMISSIVE'
             and roles && array['portcullis_api', 'portcullis_gateway', 'public']::name[]`,
    );
    for (const table of tables) {
      expect(table, table.relname).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
      // nullif(…, ''): a pooled connection left with app.org_id = '' must match nothing, not fail the cast.
      const orgFilter = `(${table.column} = (NULLIF(current_setting('app.org_id'::text, true), ''::text))::uuid)`;
      expect(
        policies.filter((p) => p.tablename === table.relname),
        table.relname,
      ).toEqual([
        {
          tablename: table.relname,
          policyname: 'tenant_isolation',
          cmd: 'ALL',
          roles: ['portcullis_api', 'portcullis_gateway'],
          qual: orgFilter,
          with_check: orgFilter,
        },
      ]);
    }
  });

  it('request_logs partitions: RLS forced, no policy, no grant, so rows are reached only through the filtered parent', async () => {
    const partitions = await queryRows<{ relname: string; rls: boolean; forced: boolean; policies: number; granted: boolean }>(
      db.handle.db,
      sql`select c.relname, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
                 (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies,
                 (has_table_privilege('portcullis_api', c.oid, 'SELECT, INSERT, UPDATE, DELETE')
                  or has_table_privilege('portcullis_gateway', c.oid, 'SELECT, INSERT, UPDATE, DELETE')) as granted
            from pg_class c join pg_inherits i on i.inhrelid = c.oid
           where i.inhparent = 'public.request_logs'::regclass`,
    );
    expect(partitions.map((p) => p.relname)).toContain('request_logs_default');
    for (const partition of partitions)
      expect(partition, partition.relname).toMatchObject({ rls: true, forced: true, policies: 0, granted: false });

    const requestId = uniqueName('req');
    for (const org of [a, b]) {
      await db.gateway.withTenant(org.orgId, (tx) =>
        tx.insert(requestLogs).values({ orgId: org.orgId, requestId, endpoint: '/v1/chat/completions', status: 200 }),
      );
    }
    const seen = await db.api.withTenant(a.orgId, (tx) =>
      queryRows<{ org_id: string }>(tx, sql`select org_id from request_logs where request_id = ${requestId}`),
    );
    expect(seen).toEqual([{ org_id: a.orgId }]);
    await expectPgError(
      db.api.withTenant(a.orgId, (tx) => tx.execute(sql`select * from request_logs_default`)),
      PG.insufficientPrivilege,
    );
    await expectPgError(
      db.gateway.withTenant(a.orgId, (tx) =>
        tx.execute(sql`insert into request_logs_default (org_id, request_id, endpoint, status) values (${a.orgId}, 'req_x', '/v1/x', 200)`),
      ),
      PG.insufficientPrivilege,
    );
  });
});

// On PGlite the session user is always the superuser, so code inside a transaction could SET ROLE
// back; on PostgreSQL each service logs in as its own role and cannot. Prove that with real logins.
describe.skipIf(!usingPostgres)('service logins on PostgreSQL', () => {
  async function connectAs(role: 'portcullis_api' | 'portcullis_gateway'): Promise<pg.Client> {
    const login = `${role}_test_login`;
    await db.handle.db.execute(
      sql.raw(
        `do $$ begin if not exists (select 1 from pg_roles where rolname = '${login}') then create role ${login} login in role ${role}; end if; end $$`,
      ),
    );
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.username = login;
    url.password = '';
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return client;
  }

  it('a gateway login cannot become the api, the definer or the owner, and cannot write keys', async () => {
    const client = await connectAs('portcullis_gateway');
    try {
      for (const role of ['portcullis_api', 'portcullis_definer', 'postgres']) {
        await expectPgError(client.query(`set role ${role}`), PG.insufficientPrivilege);
      }
      await client.query('begin');
      await client.query(`select set_config('app.org_id', $1, true)`, [a.orgId]);
      await expectPgError(client.query(`update api_keys set revoked_at = null`), PG.insufficientPrivilege);
      await client.query('rollback');
    } finally {
      await client.end();
    }
  });

  it('an api login sees one tenant at a time and cannot read setup tokens', async () => {
    const client = await connectAs('portcullis_api');
    try {
      await client.query('begin');
      await client.query(`select set_config('app.org_id', $1, true)`, [a.orgId]);
      const { rows } = await client.query<{ org_id: string }>('select org_id from projects');
      expect(rows).toEqual([{ org_id: a.orgId }]);
      await client.query('rollback');
      await expectPgError(client.query('select * from setup_tokens'), PG.insufficientPrivilege);
    } finally {
      await client.end();
    }
  });
});
