/**
 * Deleting an org (`DELETE /api/orgs/:orgId`, `portcullis orgs delete`) with a grace period, then
 * crypto-shredding: the owner's request schedules it (its API keys are refused at once, an owner
 * may cancel and the keys work again), the purge job deletes it once the grace period has passed
 * (a fake clock here), and its data keys go with it, so the stored bodies it leaves behind (no
 * foreign key) can never be decrypted again. Everything is on the instance audit chain; other orgs
 * are untouched. The operator's `--now` deletes at once.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorCreateToken } from '../src/admin/credential-operations.js';
import { systemActor } from '../src/audit/context.js';
import type { Role } from '../src/auth/permissions.js';
import { applyBootstrap } from '../src/bootstrap/apply.js';
import { parseBootstrapText } from '../src/bootstrap/document.js';
import { decryptProviderKey } from '../src/credentials/provider-keys.js';
import { decryptSecret, unwrapDataKey } from '../src/crypto/envelope.js';
import { queryRows } from '../src/db/rows.js';
import { providerKeys } from '../src/db/schema/index.js';
import { REQUEST_BODY_PURPOSE } from '../src/gateway/request-log/insert.js';
import { runOrgPurge } from '../src/governance/org-purge-job.js';
import { findOrganizationId } from '../src/tenancy/organizations.js';
import { apiClient, eventually, nextBusEvent, startApiReplica } from './support/api.js';
import {
  cliEnv,
  emptyEnvFile,
  getJson,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServer,
  stopChildren,
  stopProcess,
} from './support/cli.js';
import { uniqueName } from './support/database.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';

const ctx = { actor: systemActor('cli', 'test-host'), requestId: null };

type ScheduledBody = { orgId: string; name: string; deletionScheduledFor: string; graceDays: number };
type DeletionBody = {
  orgId: string;
  name: string;
  deleted: Record<'projects' | 'members' | 'apiKeys' | 'adminTokens' | 'providerKeys' | 'orgSecrets' | 'dataKeys', number>;
  shreddedRequestBodies: number;
};

describe('DELETE /api/orgs/:orgId', () => {
  let fx: GatewayFixture;
  let api: { apiUrl: string; close(): Promise<void> };
  const tokens = {} as Record<Role, string>;
  let other: { orgId: string; orgName: string; apiKey: string; ownerToken: string };

  const owner = () => fx.server.runtime.database.db;
  const mint = async (org: string, role: Role) => {
    const { runtime } = fx.server;
    const issued = await operatorCreateToken(
      { db: runtime.apiDb, bus: runtime.bus, logger: runtime.logger },
      { org, name: uniqueName(role), role },
      ctx,
    );
    return issued.token;
  };
  const chatResponse = async (apiKey: string) => {
    const response = await fetch(`${fx.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: `secret plans ${randomUUID()}` }] }),
    });
    return { status: response.status, text: await response.text() };
  };
  const chat = async (apiKey: string) => (await chatResponse(apiKey)).status;
  /** The next org.changed of the fixture's org, as this gateway hears it. */
  const orgChanged = () => nextBusEvent(fx.server, (event) => event.type === 'org.changed' && event.orgId === fx.orgId);
  const remove = (token: string, orgId: string, body: unknown) =>
    apiClient(api, token).call<ScheduledBody>('DELETE', `/api/orgs/${orgId}`, body);
  const cancel = (token: string, orgId: string) =>
    apiClient(api, token).post<{ cancelledDeletionScheduledFor: string }>(`/api/orgs/${orgId}/deletion/cancel`);
  const purge = (now: Date) =>
    runOrgPurge({
      db: fx.server.runtime.apiDb,
      bus: fx.server.runtime.bus,
      logger: fx.server.runtime.logger,
      host: 'test-host',
      now: () => now,
    });
  const instanceEvents = (orgId: string, action: string) =>
    queryRows<{ diff: Record<string, unknown> }>(
      owner(),
      sql`select diff from audit_events where org_id is null and action = ${action} and target_id = ${orgId} order by seq`,
    );
  const bodiesOf = (orgId: string) =>
    queryRows<{ id: string; tenant_key_id: string; request_ciphertext: Buffer }>(
      owner(),
      sql`select id, tenant_key_id, request_ciphertext from request_bodies where org_id = ${orgId}`,
    );

  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { logBodies: true } });
    api = await startApiReplica(fx.server);
    for (const role of ['owner', 'admin'] as const) tokens[role] = await mint(fx.orgName, role);
    const { runtime } = fx.server;
    const orgName = uniqueName('bystander');
    const doc = {
      orgs: [
        {
          name: orgName,
          providerKeys: [{ provider: 'openai', key: fx.openai.apiKey, baseUrl: fx.openai.baseUrl }],
          projects: [{ name: 'app', settings: { logBodies: true }, apiKeys: [{ name: 'app' }] }],
        },
      ],
    };
    const result = await applyBootstrap(parseBootstrapText(stringify(doc), 'other.yaml'), {
      db: runtime.apiDb,
      keyring: runtime.keyring,
      ctx,
    });
    other = {
      orgId: (await findOrganizationId(runtime.apiDb, orgName))!,
      orgName,
      apiKey: result.apiKeys[0]!.key,
      ownerToken: await mint(orgName, 'owner'),
    };
    for (let i = 0; i < 3; i++) expect(await chat(fx.apiKey)).toBe(200);
    expect(await chat(other.apiKey)).toBe(200);
    await eventually(
      async () => ((await bodiesOf(fx.orgId)).length >= 3 && (await bodiesOf(other.orgId)).length >= 1 ? true : undefined),
      20_000,
    );
  });
  afterAll(async () => {
    await api?.close();
    await fx?.stop();
  });

  it('only the owner may delete, only with the exact name, and only their own org', async () => {
    const byAdmin = await remove(tokens.admin, fx.orgId, { confirm: fx.orgName });
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.error?.code).toBe('permission_denied');
    expect((await remove(tokens.owner, fx.orgId, {})).status).toBe(400);
    const wrongCase = await remove(tokens.owner, fx.orgId, { confirm: fx.orgName.toUpperCase() });
    expect(wrongCase.status).toBe(400);
    expect(wrongCase.error?.code).toBe('confirmation_mismatch');
    // Another org's owner learns nothing about this one.
    expect((await remove(other.ownerToken, fx.orgId, { confirm: fx.orgName })).status).toBe(404);
    expect((await cancel(other.ownerToken, fx.orgId)).status).toBe(404);
    expect((await cancel(tokens.admin, fx.orgId)).status).toBe(403);
    // Nothing to cancel yet.
    expect((await cancel(tokens.owner, fx.orgId)).error?.code).toBe('deletion_not_scheduled');
    expect(await findOrganizationId(fx.server.runtime.apiDb, fx.orgName)).toBe(fx.orgId);
    expect(await chat(fx.apiKey)).toBe(200);
    expect(
      await queryRows(owner(), sql`select id from audit_events where action like 'org.deletion%' and target_id = ${fx.orgId}`),
    ).toEqual([]);
  });

  it('the owner schedules it: keys refused at once, a second schedule is refused, cancelling restores the keys, all audited', async () => {
    expect(await chat(fx.apiKey)).toBe(200); // the gateway now has the project context cached
    const before = Date.now();
    // The api is another replica: its org.changed reaches this gateway over the bus (Redis in CI).
    const toldScheduled = orgChanged();
    const scheduled = await remove(tokens.owner, fx.orgId, { confirm: fx.orgName });
    expect(scheduled.status, scheduled.text).toBe(202);
    await toldScheduled;
    expect(scheduled.body).toMatchObject({ orgId: fx.orgId, name: fx.orgName, graceDays: 30 });
    const at = Date.parse(scheduled.body.deletionScheduledFor);
    expect(at - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1_000);
    expect(at - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
    const view = await apiClient(api, tokens.owner).get<{ deletionScheduledFor: string | null }>(`/api/orgs/${fx.orgId}`);
    expect(view.body.deletionScheduledFor).toBe(scheduled.body.deletionScheduledFor);

    // The cached context is dropped through org.changed: the very next request is refused, clearly.
    const refused = await chatResponse(fx.apiKey);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'org_deletion_scheduled' } });
    expect(refused.text).toContain('scheduled for deletion');
    expect(await chat(other.apiKey)).toBe(200);

    const again = await remove(tokens.owner, fx.orgId, { confirm: fx.orgName });
    expect(again.status).toBe(409);
    expect(again.error?.code).toBe('deletion_already_scheduled');
    // Not due yet: the purge leaves it alone.
    expect((await purge(new Date(at - 60_000))).purged).toEqual([]);
    expect(await findOrganizationId(fx.server.runtime.apiDb, fx.orgName)).toBe(fx.orgId);

    const toldCancelled = orgChanged();
    const cancelled = await cancel(tokens.owner, fx.orgId);
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.body.cancelledDeletionScheduledFor).toBe(scheduled.body.deletionScheduledFor);
    await toldCancelled;
    expect(await chat(fx.apiKey)).toBe(200);
    expect(
      (await apiClient(api, tokens.owner).get<{ deletionScheduledFor: string | null }>(`/api/orgs/${fx.orgId}`)).body.deletionScheduledFor,
    ).toBeNull();
    // A cancelled deletion is never carried out, however late the purge runs.
    expect((await purge(new Date(at + 86_400_000))).purged).toEqual([]);

    // Once each, in the org's chain and in the instance's.
    for (const action of ['org.deletion_scheduled', 'org.deletion_cancelled']) {
      const inOrg = await queryRows<{ actor_type: string }>(
        owner(),
        sql`select actor_type from audit_events where org_id = ${fx.orgId} and action = ${action}`,
      );
      expect(inOrg, action).toHaveLength(1);
      expect(inOrg[0]!.actor_type).toBe('token');
      expect(await instanceEvents(fx.orgId, action), action).toHaveLength(1);
    }
    expect((await instanceEvents(fx.orgId, 'org.deletion_scheduled'))[0]!.diff).toMatchObject({
      name: fx.orgName,
      graceDays: 30,
      deletionScheduledFor: scheduled.body.deletionScheduledFor,
    });
  });

  it('after the grace period the purge deletes it: data keys destroyed, stored bodies unreadable by anyone, deletion on the instance chain', async () => {
    const { runtime } = fx.server;
    expect(await chat(fx.apiKey)).toBe(200); // the gateway now has the key verified and cached
    const dataKeyIds = (await queryRows<{ id: string }>(owner(), sql`select id from tenant_keys where org_id = ${fx.orgId}`)).map(
      (r) => r.id,
    );
    expect(dataKeyIds.length).toBeGreaterThan(0);
    const bodies = await eventually(async () => {
      const rows = await bodiesOf(fx.orgId);
      return rows.length >= 5 ? rows : undefined;
    }, 20_000);

    const scheduled = await remove(tokens.owner, fx.orgId, { confirm: fx.orgName });
    expect(scheduled.status, scheduled.text).toBe(202);
    const due = new Date(Date.parse(scheduled.body.deletionScheduledFor) + 1);
    // Two replicas purging at once: one deletes, the other finds nothing left to do.
    const [first, second] = await Promise.all([purge(due), purge(due)]);
    const purged = [...first.purged, ...second.purged];
    expect(purged).toHaveLength(1);
    const summary: DeletionBody = purged[0]!;
    expect(summary).toMatchObject({ orgId: fx.orgId, name: fx.orgName, deleted: { dataKeys: dataKeyIds.length, apiKeys: 1 } });
    expect(summary.deleted.providerKeys).toBeGreaterThan(3);
    expect(summary.shreddedRequestBodies).toBeGreaterThanOrEqual(bodies.length);
    expect((await purge(due)).purged).toEqual([]);

    // The gateway's cached verification is dropped at once: the next request is refused.
    await eventually(async () => ((await chat(fx.apiKey)) === 401 ? true : undefined), 5_000);
    // The org's admin tokens went with it.
    expect((await apiClient(api, tokens.owner).get(`/api/orgs/${fx.orgId}`)).status).toBe(401);

    // Crypto-shredding: no data key of the org exists any more, while its ciphertexts remain.
    expect(await queryRows(owner(), sql`select id from tenant_keys where org_id = ${fx.orgId}`)).toEqual([]);
    expect(await queryRows(owner(), sql`select id from provider_keys where org_id = ${fx.orgId}`)).toEqual([]);
    const left = await bodiesOf(fx.orgId);
    expect(left.map((b) => b.id)).toEqual(expect.arrayContaining(bodies.map((b) => b.id)));
    // No key anywhere in the database opens them: try every data key this deployment can unwrap.
    const survivors = await queryRows<{ id: string; org_id: string; master_key_id: string; wrapped_key: Buffer }>(
      owner(),
      sql`select id, org_id, master_key_id, wrapped_key from tenant_keys`,
    );
    const unwrapped = survivors.flatMap((k) => {
      const master = runtime.keyring.byId.get(k.master_key_id);
      return master ? [unwrapDataKey(master, Buffer.from(k.wrapped_key), { orgId: k.org_id, dataKeyId: k.id })] : [];
    });
    expect(unwrapped.length).toBeGreaterThan(0); // the bystander's key, at least
    for (const body of left) {
      expect(dataKeyIds).toContain(body.tenant_key_id);
      for (const key of unwrapped)
        expect(() =>
          decryptSecret(key, Buffer.from(body.request_ciphertext), { orgId: fx.orgId, rowId: body.id, purpose: REQUEST_BODY_PURPOSE }),
        ).toThrow();
    }

    const instance = await queryRows<{ target_id: string; diff: Record<string, unknown> }>(
      owner(),
      sql`select target_id, diff from audit_events where org_id is null and action = 'org.deleted' and target_id = ${fx.orgId}`,
    );
    expect(instance).toHaveLength(1);
    expect(instance[0]!.diff).toMatchObject({ name: fx.orgName, dataKeys: dataKeyIds.length, afterGracePeriod: true });
    expect(await instanceEvents(fx.orgId, 'org.deletion_scheduled')).toHaveLength(2);
    const [last] = await queryRows<{ action: string }>(
      owner(),
      sql`select action from audit_events where org_id = ${fx.orgId} order by occurred_at desc limit 1`,
    );
    expect(last?.action).toBe('org.deleted');
  });

  it('leaves every other org as it was', async () => {
    const { runtime } = fx.server;
    expect(await chat(other.apiKey)).toBe(200);
    expect((await apiClient(api, other.ownerToken).get(`/api/orgs/${other.orgId}`)).status).toBe(200);
    const secrets = await runtime.apiDb.withTenant(other.orgId, async (tx) =>
      Promise.all((await tx.select().from(providerKeys)).map((row) => decryptProviderKey(tx, row, runtime.keyring))),
    );
    expect(secrets).toEqual([fx.openai.apiKey]);
    expect((await bodiesOf(other.orgId)).length).toBeGreaterThan(0);
  });
});

describe('portcullis orgs delete, through a running server and directly', () => {
  afterAll(async () => {
    await stopChildren({ all: true });
    removeTempDirs();
  });

  it('refuses a wrong confirmation, deletes with the right one, and the gateway refuses the org key at once', async () => {
    const root = makeTempDir();
    const envFile = emptyEnvFile(root);
    const env = cliEnv({ PORTCULLIS_DATA_DIR: join(root, 'data'), SHUTDOWN_TIMEOUT_MS: '5000' });
    const cli = (...args: string[]) => runCli([...args, '--env-file', envFile], env);
    const file = join(root, 'orgs.yaml');
    const org = (name: string) =>
      `  - name: ${name}\n    providerKeys: [{ provider: openai, key: sk-cli-${randomUUID()} }]\n    projects:\n      - name: web\n        apiKeys: [{ name: ci }]\n`;
    writeFileSync(file, `orgs:\n${org('Doomed CLI')}${org('Kept CLI')}${org('Later CLI')}`);

    const server = await startServer(env, ['--env-file', envFile]);
    const bootstrap = await cli('bootstrap', file);
    expect(bootstrap.code, bootstrap.stderr).toBe(0);
    const keys = Object.fromEntries(
      (JSON.parse(bootstrap.stdout) as { apiKeys: { org: string; key: string }[] }).apiKeys.map((k) => [k.org, k.key]),
    );
    const gateway = async (org: string) =>
      (await getJson(`${server.gatewayUrl}/v1/models`, { authorization: `Bearer ${keys[org]}` })).status;
    expect(await gateway('Doomed CLI')).toBe(200);

    const wrong = await cli('orgs', 'delete', 'Doomed CLI', '--confirm', 'doomed cli');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('exact name');
    expect(await gateway('Doomed CLI')).toBe(200);
    const missingFlag = await cli('orgs', 'delete', 'Doomed CLI');
    expect(missingFlag.code).not.toBe(0);

    // Without --now: scheduled like an owner's request, the keys refused until it is cancelled.
    const scheduled = await cli('orgs', 'delete', 'Doomed CLI', '--confirm', 'Doomed CLI');
    expect(scheduled.code, scheduled.stderr).toBe(0);
    expect(JSON.parse(scheduled.stdout)).toMatchObject({ scheduled: true, name: 'Doomed CLI', graceDays: 30 });
    expect(scheduled.stderr).toContain('will be deleted at');
    expect(await gateway('Doomed CLI')).toBe(403);
    const cancelled = await cli('orgs', 'cancel-deletion', 'Doomed CLI');
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(await gateway('Doomed CLI')).toBe(200);

    const deleted = await cli('orgs', 'delete', 'doomed cli', '--confirm', 'Doomed CLI', '--now');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stderr).toContain('Running inside the Portcullis server');
    expect(JSON.parse(deleted.stdout)).toMatchObject({ name: 'Doomed CLI', deleted: { apiKeys: 1, providerKeys: 1, dataKeys: 1 } });
    expect(await gateway('Doomed CLI')).toBe(401);
    expect(await gateway('Kept CLI')).toBe(200);
    await stopProcess(server);

    const direct = await cli('orgs', 'delete', 'Later CLI', '--confirm', 'Later CLI', '--now');
    expect(direct.code, direct.stderr).toBe(0);
    expect(direct.stderr).not.toContain('Running inside');
    expect(JSON.parse(direct.stdout)).toMatchObject({ name: 'Later CLI', deleted: { dataKeys: 1 } });
    const again = await cli('orgs', 'delete', 'Later CLI', '--confirm', 'Later CLI', '--now');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('No organization named "Later CLI"');
  }, 180_000);
});
