/**
 * Every SECURITY DEFINER function, table-driven: who may EXECUTE it, what it returns, and that the
 * lookups which run before the org is known hand back only their columns and only the matching row.
 * On PGlite by default and on PostgreSQL with TEST_DATABASE_URL.
 *
 * A definer function runs with portcullis_definer's rights (cross-tenant reads, writes no service
 * role may do), so each one is a hole in the row-level security on purpose. This file is the list of
 * those holes: a new definer function fails the test until it is added here, with its grant and its
 * result, and documented in docs/database.md.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql, type SQL } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../src/db/rows.js';
import { adminTokens, invitations, organizations, users } from '../src/db/schema/index.js';
import { expectPgError, openTestDatabase, PG, uniqueName, type TestDatabase } from './support/database.js';

/**
 * Who may call a function: `api` (portcullis_api), `gateway` (portcullis_gateway), `migrator` (the
 * role that ran the migrations and owns the tables, `GRANT … TO CURRENT_USER`: `portcullis audit
 * verify` runs as it; no service role may read every chain). An empty list: nobody but the owner,
 * portcullis_definer (the audit trigger and its canonical form run inside the INSERT).
 */
type Executor = 'api' | 'gateway' | 'migrator';

/** `result`: the declared result, as pg_get_function_result prints it; a TABLE function as its columns. */
type DefinerFunction = { execute: readonly Executor[]; result: string | readonly string[] };

const TS = 'timestamp with time zone';

const DEFINER_FUNCTIONS: Readonly<Record<string, DefinerFunction>> = {
  // Before the org is known: credentials, invitations, setup, the signed-in user's orgs.
  'portcullis_lookup_api_key(text)': {
    execute: ['gateway'],
    result: [
      'id uuid',
      'org_id uuid',
      'project_id uuid',
      'kind text',
      'secret_hash text',
      `expires_at ${TS}`,
      `revoked_at ${TS}`,
      'allowed_models text[]',
      'ip_allowlist text[]',
      'limits jsonb',
    ],
  },
  // 0030: the same lookup, saying which secret matched (the previous release still calls the one above).
  'portcullis_lookup_api_key_v2(text)': {
    execute: ['gateway'],
    result: [
      'id uuid',
      'org_id uuid',
      'project_id uuid',
      'kind text',
      'secret_hash text',
      `expires_at ${TS}`,
      `revoked_at ${TS}`,
      'allowed_models text[]',
      'ip_allowlist text[]',
      'limits jsonb',
      `superseded_until ${TS}`,
    ],
  },
  'portcullis_lookup_admin_token(text)': {
    execute: ['api'],
    result: ['id uuid', 'org_id uuid', 'role text', 'secret_hash text', `expires_at ${TS}`, `revoked_at ${TS}`],
  },
  'portcullis_find_invitation(text)': { execute: ['api'], result: ['id uuid', 'org_id uuid'] },
  'portcullis_has_pending_invitation(text)': { execute: ['api'], result: 'boolean' },
  'portcullis_user_invitations(text)': {
    execute: ['api'],
    result: ['org_id uuid', 'org_name text', 'role text', `created_at ${TS}`, `expires_at ${TS}`, `accepted_at ${TS}`, `revoked_at ${TS}`],
  },
  'portcullis_issue_setup_token(text,timestamp with time zone)': { execute: ['api'], result: 'boolean' },
  'portcullis_complete_setup(text,text)': { execute: ['api'], result: 'boolean' },
  'portcullis_user_memberships(text)': { execute: ['api'], result: ['org_id uuid', 'org_name text', 'role text', 'project_ids uuid[]'] },
  'portcullis_find_org_by_name(text)': { execute: ['api'], result: 'uuid' },
  'portcullis_oidc_group_role_orgs()': { execute: ['api'], result: ['org_id uuid'] },
  'portcullis_user_instance_audit(text,integer)': {
    execute: ['api'],
    result: [
      'seq bigint',
      `occurred_at ${TS}`,
      'actor_type text',
      'actor_ip text',
      'user_agent text',
      'action text',
      'target_type text',
      'target_id text',
      'outcome text',
      'reason text',
      'diff jsonb',
    ],
  },
  // Instance administration: each checks that its actor is an instance admin itself.
  'portcullis_set_org_plan(uuid,text)': { execute: ['api'], result: 'boolean' },
  'portcullis_set_signup_mode(text,text)': { execute: ['api'], result: 'boolean' },
  'portcullis_grant_instance_admin(text,text)': { execute: ['api'], result: 'text' },
  'portcullis_revoke_instance_admin(text,text)': { execute: ['api'], result: 'text' },
  'portcullis_list_organizations(text)': {
    execute: ['api'],
    result: ['id uuid', 'name text', 'plan text', `created_at ${TS}`, 'members bigint'],
  },
  // Gateway writes and reads it cannot do with its grants.
  'portcullis_usage_totals(uuid,text,uuid,timestamp with time zone)': {
    execute: ['gateway'],
    result: ['requests bigint', 'tokens bigint', 'cost_micro_usd bigint'],
  },
  'portcullis_record_budget_alert(uuid,text,uuid,jsonb,text,text)': { execute: ['gateway'], result: 'void' },
  'portcullis_record_security_alert(uuid,text,jsonb)': { execute: ['gateway'], result: 'void' },
  // Audit: the chain, instance events, retention, verification.
  'portcullis_append_instance_audit(text,text,text,text,text,text,text,text,text,text,jsonb)': { execute: ['api'], result: 'void' },
  'portcullis_audit_chain()': { execute: [], result: 'trigger' },
  'portcullis_audit_canonical(audit_events)': { execute: [], result: 'text' },
  'portcullis_audit_chain_page(uuid,bigint,integer)': {
    execute: ['migrator'],
    result: ['seq bigint', 'prev_hash text', 'hash text', 'canonical text'],
  },
  'portcullis_audit_latest_checkpoint(uuid)': {
    execute: ['migrator'],
    result: ['seq bigint', 'hash text', `pruned_at ${TS}`, 'signature text', 'key_id text'],
  },
  'portcullis_tenant_audit_chain_page(bigint,integer)': {
    execute: ['api'],
    result: ['seq bigint', 'prev_hash text', 'hash text', 'canonical text'],
  },
  'portcullis_tenant_audit_chain_head()': { execute: ['api'], result: ['seq bigint', 'hash text'] },
  'portcullis_retention_targets()': { execute: ['api'], result: ['org_id uuid', 'plan text', 'retention jsonb'] },
  'portcullis_audit_prune_point(uuid,timestamp with time zone,integer)': { execute: ['api'], result: ['seq bigint', 'hash text'] },
  'portcullis_prune_audit(uuid,bigint,text,timestamp with time zone,text,text)': { execute: ['api'], result: 'integer' },
  'portcullis_prune_request_logs(uuid,timestamp with time zone,integer)': { execute: ['api'], result: 'integer' },
  'portcullis_siem_claim(text,uuid,timestamp with time zone,timestamp with time zone,integer)': {
    execute: ['api'],
    result: ['chain text', 'last_seq bigint', 'head_seq bigint', 'attempts integer'],
  },
  'portcullis_siem_events(text,text,uuid,integer)': {
    execute: ['api'],
    result: [
      'id uuid',
      'org_id uuid',
      'seq bigint',
      `occurred_at ${TS}`,
      'actor_type text',
      'actor_id text',
      'actor_ip text',
      'user_agent text',
      'action text',
      'target_type text',
      'target_id text',
      'outcome text',
      'reason text',
      'request_id text',
      'diff jsonb',
      'prev_hash text',
      'hash text',
    ],
  },
  'portcullis_siem_ack(text,text,uuid,bigint,timestamp with time zone)': { execute: ['api'], result: 'boolean' },
  'portcullis_siem_fail(text,text,uuid,timestamp with time zone,text)': { execute: ['api'], result: 'boolean' },
  // Keys and orgs: rotation, the deletion purge job.
  'portcullis_master_key_usage()': { execute: ['api'], result: ['master_key_id text', 'data_keys bigint'] },
  'portcullis_org_ids_with_stale_keys(text)': { execute: ['api'], result: 'SETOF uuid' },
  'portcullis_orgs_due_for_deletion(timestamp with time zone,integer)': {
    execute: ['api'],
    result: ['org_id uuid', `deletion_scheduled_for ${TS}`],
  },
  // request_logs partitions: only their owner (portcullis_definer) may create or drop them.
  'portcullis_ensure_request_log_partitions(integer)': { execute: ['api'], result: ['partition_name text', 'rows_moved bigint'] },
  'portcullis_drop_expired_request_log_partitions(integer)': {
    execute: ['api'],
    result: ['partition_name text', `range_start ${TS}`, `range_end ${TS}`, 'rows_dropped bigint', 'keep_days integer'],
  },
};

function declaredResult(fn: DefinerFunction): string {
  return typeof fn.result === 'string' ? fn.result : `TABLE(${fn.result.join(', ')})`;
}

/** The column names `select * from f(…)` yields, from the table above (a scalar function: one column named after it). */
function resultColumns(signature: string): string[] {
  const fn = DEFINER_FUNCTIONS[signature];
  if (!fn) throw new Error(`${signature} is not in DEFINER_FUNCTIONS`);
  return typeof fn.result === 'string' ? [signature.slice(0, signature.indexOf('('))] : fn.result.map((c) => c.split(' ')[0]!);
}

type CatalogRow = {
  signature: string;
  result: string;
  owner: string;
  config: string[] | null;
  api: boolean;
  gateway: boolean;
  public: boolean;
  grantees: string[];
  migrator: string;
  out_columns: string[];
};

let db: TestDatabase;
let catalog: Map<string, CatalogRow>;

type Seeded = {
  orgId: string;
  orgName: string;
  userId: string;
  adminTokenId: string;
  adminLookupId: string;
  invitationId: string;
  invitationHash: string;
  invitedEmail: string;
  revokedEmail: string;
};
let a: Seeded;
let b: Seeded;

async function seed(): Promise<Seeded> {
  const orgId = randomUUID();
  const orgName = uniqueName('definer-org');
  const userId = randomUUID();
  const adminLookupId = randomUUID().replace(/-/g, '').slice(0, 16);
  const invitationHash = `hash-${randomUUID()}`;
  const invitedEmail = `${uniqueName('invited')}@example.test`;
  const revokedEmail = `${uniqueName('revoked')}@example.test`;
  await db.api.withRole((tx) => tx.insert(users).values({ id: userId, name: 'Someone', email: `${userId}@example.test` }));
  return db.api.withTenant(orgId, async (tx) => {
    await tx.insert(organizations).values({ id: orgId, name: orgName });
    const [token] = await tx
      .insert(adminTokens)
      .values({ orgId, name: 'ci', role: 'admin', lookupId: adminLookupId, secretHash: '$2b$10$admin-token-hash', last4: 'wxyz' })
      .returning({ id: adminTokens.id });
    const expiresAt = new Date(Date.now() + 86_400_000);
    const [invitation] = await tx
      .insert(invitations)
      .values({ orgId, email: invitedEmail, role: 'developer', tokenHash: invitationHash, expiresAt })
      .returning({ id: invitations.id });
    await tx
      .insert(invitations)
      .values({ orgId, email: revokedEmail, role: 'viewer', tokenHash: `hash-${randomUUID()}`, expiresAt, revokedAt: new Date() });
    return {
      orgId,
      orgName,
      userId,
      adminTokenId: token!.id,
      adminLookupId,
      invitationId: invitation!.id,
      invitationHash,
      invitedEmail,
      revokedEmail,
    };
  });
}

beforeAll(async () => {
  db = await openTestDatabase();
  const rows = await queryRows<CatalogRow>(
    db.handle.db,
    sql`select p.oid::regprocedure::text as signature,
               pg_get_function_result(p.oid) as result,
               pg_get_userbyid(p.proowner)::text as owner,
               p.proconfig as config,
               has_function_privilege('portcullis_api', p.oid, 'execute') as api,
               has_function_privilege('portcullis_gateway', p.oid, 'execute') as gateway,
               has_function_privilege('public', p.oid, 'execute') as public,
               array(select case when x.grantee = 0 then 'PUBLIC' else pg_get_userbyid(x.grantee)::text end
                       from aclexplode(p.proacl) x
                      where x.privilege_type = 'EXECUTE' and x.grantee <> p.proowner
                      order by 1) as grantees,
               (select pg_get_userbyid(c.relowner)::text from pg_class c where c.oid = 'public.organizations'::regclass) as migrator,
               array(select u.name from unnest(p.proargnames, p.proargmodes) with ordinality as u(name, mode, i)
                      where u.mode in ('o', 't') order by u.i) as out_columns
          from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         where n.nspname = 'public' and p.prosecdef`,
  );
  catalog = new Map(rows.map((row) => [row.signature, row]));
  a = await seed();
  b = await seed();
});
afterAll(async () => db?.close());

describe('every SECURITY DEFINER function', () => {
  it('is listed in this test (a new definer function without an entry fails here)', () => {
    expect([...catalog.keys()].sort()).toEqual(Object.keys(DEFINER_FUNCTIONS).sort());
  });

  it('each is documented in docs/database.md (who may call it, what it returns, why it is a definer function)', () => {
    const docs = readFileSync(new URL('../docs/database.md', import.meta.url), 'utf8');
    const undocumented = Object.keys(DEFINER_FUNCTIONS)
      .map((signature) => signature.slice(0, signature.indexOf('(')))
      .filter((name) => !docs.includes(`| \`${name}(`) && !docs.includes(` / \`${name}(`));
    expect(undocumented).toEqual([]);
  });

  it.each(Object.entries(DEFINER_FUNCTIONS))('%s: executable by exactly its roles, never by PUBLIC', (signature, expected) => {
    const row = catalog.get(signature);
    expect(row, `${signature} does not exist in the database`).toBeDefined();
    expect({ api: row!.api, gateway: row!.gateway, public: row!.public }).toEqual({
      api: expected.execute.includes('api'),
      gateway: expected.execute.includes('gateway'),
      public: false,
    });
    // The explicit grants, so a grant to any other role (a login, a DBA role) fails too.
    const grantees = expected.execute.map((who) =>
      who === 'api' ? 'portcullis_api' : who === 'gateway' ? 'portcullis_gateway' : row!.migrator,
    );
    expect(row!.grantees).toEqual([...grantees].sort());
    expect(row!.owner).toBe('portcullis_definer');
    // A definer function with the caller's search_path could be handed a look-alike table.
    expect(row!.config ?? []).toContain('search_path=pg_catalog, public');
  });

  it.each(Object.entries(DEFINER_FUNCTIONS))('%s: returns exactly its declared result', (signature, expected) => {
    const row = catalog.get(signature);
    expect(row?.result).toBe(declaredResult(expected));
    if (typeof expected.result !== 'string') expect(row?.out_columns).toEqual(resultColumns(signature));
  });
});

describe('lookups before the org is known: their columns, the matching row, nothing else', () => {
  async function callAsApi(query: SQL): Promise<Record<string, unknown>[]> {
    return db.api.withRole((tx) => queryRows<Record<string, unknown>>(tx, query));
  }

  it('portcullis_lookup_admin_token: one token by its lookup id, without its name or other tokens', async () => {
    const rows = await callAsApi(sql`select * from portcullis_lookup_admin_token(${a.adminLookupId})`);
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!)).toEqual(resultColumns('portcullis_lookup_admin_token(text)'));
    expect(rows[0]).toMatchObject({ id: a.adminTokenId, org_id: a.orgId, role: 'admin', secret_hash: '$2b$10$admin-token-hash' });
    const other = await callAsApi(sql`select * from portcullis_lookup_admin_token(${b.adminLookupId})`);
    expect(other.map((r) => r['org_id'])).toEqual([b.orgId]);
    expect(await callAsApi(sql`select * from portcullis_lookup_admin_token(${'nosuchlookupid00'})`)).toEqual([]);
    // An org scope does not change what the lookup sees: it is keyed by the token alone.
    const scoped = await db.api.withTenant(b.orgId, (tx) =>
      queryRows<{ org_id: string }>(tx, sql`select org_id from portcullis_lookup_admin_token(${a.adminLookupId})`),
    );
    expect(scoped).toEqual([{ org_id: a.orgId }]);
  });

  it('portcullis_find_invitation: id and org of one invitation by its token hash, never its email or state', async () => {
    const rows = await callAsApi(sql`select * from portcullis_find_invitation(${a.invitationHash})`);
    expect(Object.keys(rows[0] ?? {})).toEqual(resultColumns('portcullis_find_invitation(text)'));
    expect(rows).toEqual([{ id: a.invitationId, org_id: a.orgId }]);
    expect(await callAsApi(sql`select * from portcullis_find_invitation(${'hash-of-a-wrong-token'})`)).toEqual([]);
  });

  it('portcullis_has_pending_invitation: only yes or no, and no for a revoked invitation or an unknown address', async () => {
    const ask = async (email: string) => callAsApi(sql`select * from portcullis_has_pending_invitation(${email})`);
    expect(await ask(a.invitedEmail)).toEqual([{ portcullis_has_pending_invitation: true }]);
    expect(await ask(a.invitedEmail.toUpperCase())).toEqual([{ portcullis_has_pending_invitation: true }]);
    expect(await ask(a.revokedEmail)).toEqual([{ portcullis_has_pending_invitation: false }]);
    expect(await ask(`${uniqueName('nobody')}@example.test`)).toEqual([{ portcullis_has_pending_invitation: false }]);
  });

  it('portcullis_user_invitations: the invitations to one address, without token hash, address or inviter', async () => {
    const rows = await callAsApi(sql`select * from portcullis_user_invitations(${a.invitedEmail})`);
    expect(rows).toHaveLength(1);
    expect(Object.keys(rows[0]!)).toEqual(resultColumns('portcullis_user_invitations(text)'));
    expect(rows[0]).toMatchObject({ org_id: a.orgId, org_name: a.orgName, role: 'developer', accepted_at: null, revoked_at: null });
    const others = await callAsApi(sql`select org_id from portcullis_user_invitations(${b.invitedEmail})`);
    expect(others).toEqual([{ org_id: b.orgId }]);
    expect(await callAsApi(sql`select * from portcullis_user_invitations(${`${uniqueName('nobody')}@example.test`})`)).toEqual([]);
  });

  it('portcullis_find_org_by_name: one org id by its name (case-insensitive), nothing for an unknown name', async () => {
    const find = async (name: string) => callAsApi(sql`select * from portcullis_find_org_by_name(${name})`);
    expect(await find(a.orgName)).toEqual([{ portcullis_find_org_by_name: a.orgId }]);
    expect(await find(b.orgName.toUpperCase())).toEqual([{ portcullis_find_org_by_name: b.orgId }]);
    expect(await find(uniqueName('no-such-org'))).toEqual([{ portcullis_find_org_by_name: null }]);
  });

  it('portcullis_complete_setup: a wrong setup token makes nobody instance admin', async () => {
    const admins = () => callAsApi(sql`select user_id from instance_admins order by user_id`);
    const before = await admins();
    const rows = await callAsApi(sql`select * from portcullis_complete_setup(${'hash-of-a-wrong-setup-token'}, ${a.userId})`);
    expect(rows).toEqual([{ portcullis_complete_setup: false }]);
    expect(await admins()).toEqual(before);
  });

  it('portcullis_list_organizations: no org at all for a user who is no instance admin', async () => {
    expect(await callAsApi(sql`select * from portcullis_list_organizations(${a.userId})`)).toEqual([]);
  });

  it('portcullis_user_memberships and portcullis_user_instance_audit: nothing for a user with no membership or event', async () => {
    expect(await callAsApi(sql`select * from portcullis_user_memberships(${b.userId})`)).toEqual([]);
    expect(await callAsApi(sql`select * from portcullis_user_instance_audit(${b.userId}, ${10})`)).toEqual([]);
  });

  it('the gateway cannot call any of them', async () => {
    const calls = [
      sql`select * from portcullis_lookup_admin_token(${a.adminLookupId})`,
      sql`select * from portcullis_find_invitation(${a.invitationHash})`,
      sql`select * from portcullis_has_pending_invitation(${a.invitedEmail})`,
      sql`select * from portcullis_user_invitations(${a.invitedEmail})`,
      sql`select * from portcullis_find_org_by_name(${a.orgName})`,
      sql`select * from portcullis_complete_setup(${'x'}, ${a.userId})`,
      sql`select * from portcullis_list_organizations(${a.userId})`,
    ];
    for (const call of calls)
      await expectPgError(
        db.gateway.withRole((tx) => tx.execute(call)),
        PG.insufficientPrivilege,
      );
  });
});
