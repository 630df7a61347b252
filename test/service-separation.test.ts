/**
 * Service separation on real PostgreSQL: each service logs in as its own role, and the gateway's
 * login cannot write what it only needs to read — not through a raw statement, not through the
 * real service functions called with the gateway's database handle ("a crafted code path"), and
 * not by changing role. Then a full `portcullis gateway` process runs on nothing but that login:
 * least privilege is enough to serve.
 *
 * Runs only with TEST_DATABASE_URL (a superuser URL): it creates a throwaway database, migrates it
 * as the owner, creates two LOGIN roles (members of portcullis_gateway and portcullis_api), and
 * drops all of it afterwards.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor, type ActionContext } from '../src/audit/context.js';
import { applyBootstrap } from '../src/bootstrap/apply.js';
import { parseBootstrapText } from '../src/bootstrap/document.js';
import { createApiKey } from '../src/credentials/api-key-service.js';
import { createProviderKey, decryptProviderKey, updateProviderKey } from '../src/credentials/provider-keys.js';
import { generateMasterKey, parseMasterKey } from '../src/crypto/envelope.js';
import { createMasterKeyring } from '../src/crypto/master-keyring.js';
import { randomTokenBase64Url } from '../src/crypto/random.js';
import { runMigrations } from '../src/db/migrate.js';
import { openDatabase, type DatabaseHandle } from '../src/db/open.js';
import { queryRows } from '../src/db/rows.js';
import { apiKeys, auditEvents, projects, providerKeys, requestLogs } from '../src/db/schema/index.js';
import { createScopedDatabase, type ScopedDatabase } from '../src/db/tenant.js';
import { MemoryEventBus } from '../src/events/memory-bus.js';
import { createLogger } from '../src/logging/logger.js';
import { findOrganizationId } from '../src/tenancy/organizations.js';
import { stringify } from 'yaml';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/openai.js';
import { cliEnv, emptyEnvFile, makeTempDir, removeTempDirs, spawnCli, stopChildren } from './support/cli.js';
import { expectPgError, PG } from './support/database.js';

const adminUrl = process.env.TEST_DATABASE_URL;
const suffix = randomBytes(5).toString('hex');
const databaseName = `portcullis_sep_${suffix}`;
const gatewayLogin = `pc_sep_gateway_${suffix}`;
const apiLogin = `pc_sep_api_${suffix}`;
const ctx: ActionContext = { actor: systemActor('cli', 'service-separation-test'), requestId: null };
const masterKeyText = generateMasterKey();
const keyring = createMasterKeyring(parseMasterKey(masterKeyText));

let owner: DatabaseHandle;
let gatewayHandle: DatabaseHandle;
let apiHandle: DatabaseHandle;
let gateway: ScopedDatabase;
let api: ScopedDatabase;
let orgId: string;
let otherOrgId: string;
let projectId: string;
let fake: FakeOpenAI;

function urlFor(user: string | undefined, database = databaseName): string {
  const url = new URL(adminUrl!);
  if (user !== undefined) {
    url.username = user;
    url.password = '';
  }
  url.pathname = `/${database}`;
  return url.toString();
}

async function asSuperuser(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

async function seedOrg(db: ScopedDatabase, name: string, fakeOpenAI: FakeOpenAI): Promise<string> {
  const doc = {
    orgs: [
      {
        name,
        providerKeys: [{ provider: 'openai', key: fakeOpenAI.apiKey, baseUrl: fakeOpenAI.baseUrl }],
        projects: [{ name: 'app' }],
      },
    ],
  };
  await applyBootstrap(parseBootstrapText(stringify(doc), 'separation.yaml'), { db, keyring, ctx });
  return (await findOrganizationId(db, name))!;
}

describe.skipIf(!adminUrl)('service separation on PostgreSQL (one login per service)', () => {
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    await asSuperuser(`create database ${databaseName}`);
    owner = await openDatabase({ kind: 'postgres', url: urlFor(undefined), poolMax: 2 });
    await runMigrations(owner);
    await asSuperuser(`create role ${gatewayLogin} login in role portcullis_gateway`);
    await asSuperuser(`create role ${apiLogin} login in role portcullis_api`);
    // No extra grants: migration 0010 lets both roles read drizzle's journal (the start-up version check).
    gatewayHandle = await openDatabase({ kind: 'postgres', url: urlFor(gatewayLogin), poolMax: 2 });
    apiHandle = await openDatabase({ kind: 'postgres', url: urlFor(apiLogin), poolMax: 2 });
    gateway = createScopedDatabase(gatewayHandle.db, 'gateway');
    api = createScopedDatabase(apiHandle.db, 'api');
    // Everything below is created through the api's login, by the real bootstrap code.
    orgId = await seedOrg(api, `sep-${suffix}`, fake);
    otherOrgId = await seedOrg(api, `sep-other-${suffix}`, fake);
    projectId = (await api.withTenant(orgId, (tx) => tx.select({ id: projects.id }).from(projects)))[0]!.id;
  }, 60_000);

  afterAll(async () => {
    await stopChildren({ all: true });
    removeTempDirs();
    await Promise.allSettled([gatewayHandle?.close(), apiHandle?.close(), owner?.close()]);
    await fake?.close();
    if (adminUrl) {
      await asSuperuser(`drop database if exists ${databaseName} with (force)`);
      await asSuperuser(`drop role if exists ${gatewayLogin}`);
      await asSuperuser(`drop role if exists ${apiLogin}`);
    }
  });

  it('the logins are who they say: no superuser, no owner, one service role each', async () => {
    const who = await queryRows<{ session_user: string; super: boolean; gw: boolean; api: boolean }>(
      gatewayHandle.db,
      sql`select session_user, (select rolsuper from pg_roles where rolname = session_user) as super,
                 pg_has_role(session_user, 'portcullis_gateway', 'member') as gw, pg_has_role(session_user, 'portcullis_api', 'member') as api`,
    );
    expect(who[0]).toEqual({ session_user: gatewayLogin, super: false, gw: true, api: false });
    const whoApi = await queryRows<{ gw: boolean; api: boolean }>(
      apiHandle.db,
      sql`select pg_has_role(session_user, 'portcullis_gateway', 'member') as gw, pg_has_role(session_user, 'portcullis_api', 'member') as api`,
    );
    expect(whoApi[0]).toEqual({ gw: false, api: true });
  });

  it('the gateway login reads and decrypts its org’s provider keys under RLS, and only that org’s', async () => {
    const rows = await gateway.withTenant(orgId, (tx) => tx.select().from(providerKeys));
    expect(rows.map((r) => r.orgId)).toEqual([orgId]);
    const secret = await gateway.withTenant(orgId, (tx) => decryptProviderKey(tx, rows[0]!, keyring));
    expect(secret).toBe(fake.apiKey);
    const other = await gateway.withTenant(otherOrgId, (tx) => tx.select({ id: providerKeys.id }).from(providerKeys));
    expect(other.map((r) => r.id)).not.toContain(rows[0]!.id);
  });

  describe('the gateway login cannot write, whatever the code path', () => {
    it('the real createProviderKey and updateProviderKey, called with the gateway’s handle, are refused', async () => {
      await expectPgError(
        gateway.withTenant(orgId, (tx) =>
          createProviderKey(
            tx,
            { orgId, provider: 'openai', label: 'planted', baseUrl: null, secret: 'sk-planted-by-the-gateway-0000', projectIds: [] },
            keyring,
            ctx,
          ),
        ),
        PG.insufficientPrivilege,
      );
      await expectPgError(
        gateway.withTenant(orgId, async (tx) => {
          const [row] = await tx.select().from(providerKeys);
          await updateProviderKey(tx, row!, { secret: 'sk-swapped-by-the-gateway-0000', baseUrl: null, options: {} }, keyring, ctx);
        }),
        PG.insufficientPrivilege,
      );
      // Nothing changed: the key still decrypts to the original.
      const [row] = await api.withTenant(orgId, (tx) => tx.select().from(providerKeys));
      expect(await api.withTenant(orgId, (tx) => decryptProviderKey(tx, row!, keyring))).toBe(fake.apiKey);
    });

    it.each([
      ['delete from provider_keys', sql`delete from provider_keys`],
      ['update provider_keys', sql`update provider_keys set base_url = 'http://169.254.169.254/'`],
      ['update api_keys', sql`update api_keys set revoked_at = null, expires_at = null`],
      [
        'insert into audit_events',
        sql`insert into audit_events (org_id, actor_type, action, outcome) values (current_setting('app.org_id')::uuid, 'system', 'org.updated', 'success')`,
      ],
      ['update audit_events', sql`update audit_events set action = 'x'`],
      ['delete from audit_events', sql`delete from audit_events`],
      ['select password from accounts', sql`select password from accounts`],
      ['select secret_hash from api_keys', sql`select secret_hash from api_keys`],
      [
        'insert into tenant_keys',
        sql`insert into tenant_keys (id, org_id, master_key_id, wrapped_key) values (gen_random_uuid(), current_setting('app.org_id')::uuid, 'mk', '\\x00')`,
      ],
      ['set role portcullis_api', sql`set role portcullis_api`],
      ['set role postgres', sql`set role postgres`],
      ['set session authorization', sql`set session authorization postgres`],
      ['portcullis_set_org_plan()', sql`select portcullis_set_org_plan(current_setting('app.org_id')::uuid, 'enterprise')`],
    ])('%s: permission denied', async (_name, statement) => {
      await expectPgError(
        gateway.withTenant(orgId, (tx) => tx.execute(statement)),
        PG.insufficientPrivilege,
      );
    });

    it('reset role, then write: still refused (the login itself has no write grant)', async () => {
      for (const write of [
        sql`insert into provider_keys (id, org_id, provider, label, ciphertext, tenant_key_id, last4) select gen_random_uuid(), org_id, 'openai', 'planted', ciphertext, tenant_key_id, 'xxxx' from provider_keys limit 1`,
        sql`update api_keys set name = 'hijacked'`,
        sql`delete from provider_keys`,
        sql`insert into audit_events (org_id, actor_type, action, outcome) values (current_setting('app.org_id')::uuid, 'system', 'org.updated', 'success')`,
      ]) {
        await expectPgError(
          gateway.withTenant(orgId, async (tx) => {
            await tx.execute(sql`reset role`);
            const [me] = await queryRows<{ current_user: string }>(tx, sql`select current_user`);
            expect(me?.current_user).toBe(gatewayLogin);
            await tx.execute(write);
          }),
          PG.insufficientPrivilege,
        );
      }
    });
  });

  it('the api login does the provider-key writes the gateway cannot', async () => {
    const created = await api.withTenant(orgId, (tx) =>
      createProviderKey(
        tx,
        {
          orgId,
          provider: 'mistral',
          label: `api-${suffix}`,
          baseUrl: null,
          secret: 'sk-mistral-by-the-api-000000',
          projectIds: [projectId],
        },
        keyring,
        ctx,
      ),
    );
    await api.withTenant(orgId, async (tx) => {
      const [row] = await tx.select().from(providerKeys).where(eq(providerKeys.id, created.id));
      await updateProviderKey(tx, row!, { secret: 'sk-mistral-rotated-by-api-000', baseUrl: null, options: {} }, keyring, ctx);
    });
    const [row] = await gateway.withTenant(orgId, (tx) => tx.select().from(providerKeys).where(eq(providerKeys.id, created.id)));
    expect(await gateway.withTenant(orgId, (tx) => decryptProviderKey(tx, row!, keyring))).toBe('sk-mistral-rotated-by-api-000');
    const audited = await api.withTenant(orgId, (tx) => tx.select({ action: auditEvents.action }).from(auditEvents));
    expect(audited.map((a) => a.action)).toEqual(expect.arrayContaining(['provider_key.created', 'provider_key.updated']));
    await api.withTenant(orgId, (tx) => tx.delete(providerKeys).where(eq(providerKeys.id, created.id)));
  });

  it('neither login can change or remove audit events, even after reset role', async () => {
    for (const db of [gateway, api]) {
      for (const statement of [sql`update audit_events set action = 'x'`, sql`delete from audit_events`, sql`truncate audit_events`]) {
        await expectPgError(
          db.withTenant(orgId, (tx) => tx.execute(statement)),
          PG.insufficientPrivilege,
        );
        await expectPgError(
          db.withTenant(orgId, async (tx) => {
            await tx.execute(sql`reset role`);
            await tx.execute(statement);
          }),
          PG.insufficientPrivilege,
        );
      }
    }
    const events = await api.withTenant(orgId, (tx) => tx.select({ id: auditEvents.id }).from(auditEvents));
    expect(events.length).toBeGreaterThan(0);
  });

  it(
    'a full `portcullis gateway` on the gateway login serves /readyz and authenticates a key the api created',
    { timeout: 120_000 },
    async () => {
      const issued = await createApiKey(
        { db: api, bus: new MemoryEventBus(), logger: createLogger({ level: 'silent' }) },
        orgId,
        projectId,
        { name: `least-privilege-${suffix}` },
        ctx,
      );
      const dir = makeTempDir('portcullis-sep-');
      const child = spawnCli(
        ['gateway', '--env-file', emptyEnvFile(dir)],
        cliEnv({
          DATABASE_URL: urlFor(gatewayLogin),
          GATEWAY_PORT: '0',
          MASTER_KEY: masterKeyText,
          AUTH_SECRET: randomTokenBase64Url(48),
          PORTCULLIS_DATA_DIR: dir,
        }),
      );
      const [, gatewayUrl] = await child.waitForStderr(/Portcullis ready in \d+ ms — gateway (http:\/\/\S+)/);
      const ready = await fetch(`${gatewayUrl}/readyz`);
      expect(ready.status, await ready.text()).toBe(200);
      const models = await fetch(`${gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${issued.key}` } });
      expect(models.status).toBe(200);
      expect(((await models.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toContain('openai/gpt-5.4-mini');
      // A real request: decrypt the provider key, call the provider, append the request log.
      const requestId = `sep-${randomUUID()}`;
      const chat = await fetch(`${gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${issued.key}`, 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'least privilege' }] }),
      });
      expect(chat.status, await chat.text()).toBe(200);
      expect(fake.requests.length).toBeGreaterThan(0);
      const deadline = Date.now() + 20_000;
      let logged: { status: number }[] = [];
      while (logged.length === 0 && Date.now() < deadline) {
        logged = await api.withTenant(orgId, (tx) =>
          tx.select({ status: requestLogs.status }).from(requestLogs).where(eq(requestLogs.requestId, requestId)),
        );
        if (logged.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(logged).toEqual([{ status: 200 }]);
      // A wrong key is refused the same way.
      const wrong = await fetch(`${gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${issued.key.slice(0, -2)}xx` } });
      expect(wrong.status).toBe(401);
      // The api runs on its own login the same way.
      const apiDir = makeTempDir('portcullis-sep-api-');
      const apiChild = spawnCli(
        ['api', '--env-file', emptyEnvFile(apiDir)],
        cliEnv({
          DATABASE_URL: urlFor(apiLogin),
          API_PORT: '0',
          MASTER_KEY: masterKeyText,
          AUTH_SECRET: randomTokenBase64Url(48),
          PORTCULLIS_DATA_DIR: apiDir,
        }),
      );
      const [, apiUrl] = await apiChild.waitForStderr(/Portcullis ready in \d+ ms — api and dashboard (http:\/\/\S+)/);
      expect((await fetch(`${apiUrl}/readyz`)).status).toBe(200);
      expect((await fetch(`${apiUrl}/api/setup`)).status).toBe(200);
      // The gateway never wrote anything but request logs: api_keys untouched.
      const [key] = await api.withTenant(orgId, (tx) =>
        tx.select({ revokedAt: apiKeys.revokedAt }).from(apiKeys).where(eq(apiKeys.id, issued.apiKey.id)),
      );
      expect(key).toEqual({ revokedAt: null });
    },
  );
});
