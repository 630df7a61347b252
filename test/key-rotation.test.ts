/**
 * Key rotation: `keys rotate-master` (re-wrap every data key under a new master key) and
 * `keys rotate-tenant` (a new data key for one org, every ciphertext re-encrypted, the old key
 * destroyed). Both resumable after an interruption, both audited, neither stopping the gateway.
 * The last describe runs the real CLI, through a running server and directly.
 */
import { loadUserKeys, userKeyFor } from '../src/audit/personal-data.js';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/audit/context.js';
import { applyBootstrap } from '../src/bootstrap/apply.js';
import { parseBootstrapText } from '../src/bootstrap/document.js';
import { rotateMasterKey, MasterKeyNotConfiguredError } from '../src/credentials/master-key-rotation.js';
import { deleteOrganization } from '../src/credentials/org-deletion.js';
import { confirmedByName } from '../src/credentials/org-deletion-confirmation.js';
import { ORG_SECRET_PURPOSES, setOrgSecret } from '../src/credentials/org-secrets.js';
import { decryptProviderKey } from '../src/credentials/provider-keys.js';
import { rotateTenantKey, type TenantRotationDeps } from '../src/credentials/tenant-key-rotation.js';
import { dataKeyById } from '../src/credentials/tenant-keys.js';
import { decryptSecret, encryptSecret, generateMasterKey, parseMasterKey } from '../src/crypto/envelope.js';
import { UnknownMasterKeyError } from '../src/crypto/master-keyring.js';
import { queryRows } from '../src/db/rows.js';
import { orgSecrets, organizations, providerKeys, requestBodies, tenantKeys, users } from '../src/db/schema/index.js';
import type { DbOrTx } from '../src/db/types.js';
import { REQUEST_BODY_PURPOSE, RESPONSE_BODY_PURPOSE } from '../src/gateway/request-log/insert.js';
import { createLogger } from '../src/logging/logger.js';
import { openRuntime, type Runtime } from '../src/server/runtime.js';
import { findOrganizationId } from '../src/tenancy/organizations.js';
import { eventually } from './support/api.js';
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
import { openIsolatedTestDatabase, uniqueName, type TestDatabase } from './support/database.js';
import { startGatewayFixture, startGatewayReplica, type GatewayFixture } from './support/gateway.js';
import { memoryLogDestination, testConfig } from './support/server.js';

const ctx = { actor: systemActor('cli', 'test-host'), requestId: null };

/** What an org has stored, decrypted: provider keys by label, the webhook secret, bodies by row id. */
type Plaintexts = { providerKeys: Record<string, string>; webhookSecret: string | null; bodies: Record<string, [string, string | null]> };

/** Decrypts everything the org has stored, with this runtime's master keys only. */
async function readEverything(runtime: Runtime, orgId: string): Promise<Plaintexts> {
  return runtime.apiDb.withTenant(orgId, async (tx) => {
    const result: Plaintexts = { providerKeys: {}, webhookSecret: null, bodies: {} };
    for (const row of await tx.select().from(providerKeys))
      result.providerKeys[row.label] = await decryptProviderKey(tx, row, runtime.keyring);
    for (const row of await tx.select().from(orgSecrets)) {
      const dataKey = await dataKeyById(tx, orgId, row.tenantKeyId, runtime.keyring);
      result.webhookSecret = decryptSecret(dataKey.key, row.ciphertext, {
        orgId,
        rowId: row.id,
        purpose: ORG_SECRET_PURPOSES.budget_webhook,
      });
    }
    for (const row of await tx.select().from(requestBodies)) {
      const dataKey = await dataKeyById(tx, orgId, row.tenantKeyId, runtime.keyring);
      const open = (sealed: Buffer, purpose: string) => decryptSecret(dataKey.key, sealed, { orgId, rowId: row.id, purpose });
      result.bodies[row.id] = [
        open(row.requestCiphertext, REQUEST_BODY_PURPOSE),
        row.responseCiphertext ? open(row.responseCiphertext, RESPONSE_BODY_PURPOSE) : null,
      ];
    }
    return result;
  });
}

/** Stores a body under the given data key as the gateway's log writer does (as portcullis_gateway). */
async function storeBody(runtime: Runtime, orgId: string, dataKeyId: string, text: string): Promise<string> {
  const id = randomUUID();
  await runtime.gatewayDb.withTenant(orgId, async (tx) => {
    const dataKey = await dataKeyById(tx, orgId, dataKeyId, runtime.keyring);
    await tx.insert(requestBodies).values({
      id,
      orgId,
      requestLogId: randomUUID(),
      tenantKeyId: dataKeyId,
      requestCiphertext: encryptSecret(dataKey.key, `request ${text}`, { orgId, rowId: id, purpose: REQUEST_BODY_PURPOSE }),
      responseCiphertext: encryptSecret(dataKey.key, `response ${text}`, { orgId, rowId: id, purpose: RESPONSE_BODY_PURPOSE }),
    });
  });
  return id;
}

/** What the rotations need from a running process. */
function depsOf(runtime: Runtime): TenantRotationDeps {
  return { db: runtime.apiDb, bus: runtime.bus, logger: runtime.logger, keyring: runtime.keyring };
}

function keysOf(runtime: Runtime, orgId: string) {
  return runtime.apiDb.withTenant(orgId, (tx) => tx.select().from(tenantKeys).orderBy(tenantKeys.createdAt));
}

async function activeKeyId(runtime: Runtime, orgId: string): Promise<string> {
  const active = (await keysOf(runtime, orgId)).find((k) => k.status === 'active');
  if (!active) throw new Error(`org ${orgId} has no active data key`);
  return active.id;
}

/** Audit rows as the owner sees them (the instance chain is invisible to the service roles). */
function auditRows(db: DbOrTx, orgId: string | null, action: string) {
  return queryRows<{ outcome: string; reason: string | null; target_id: string | null; diff: Record<string, unknown> | null }>(
    db,
    orgId === null
      ? sql`select outcome, reason, target_id, diff from audit_events where org_id is null and action = ${action} order by occurred_at`
      : sql`select outcome, reason, target_id, diff from audit_events where org_id = ${orgId} and action = ${action} order by occurred_at`,
  );
}

describe('rotate-master', () => {
  // Master-key rotation is instance-wide: on PostgreSQL it gets a database of its own, so other
  // test files' orgs (under their own random master keys) are not part of it.
  let db: TestDatabase;
  const keyA = generateMasterKey();
  const keyB = generateMasterKey();
  const idA = parseMasterKey(keyA).id;
  const idB = parseMasterKey(keyB).id;
  const runtimes: Runtime[] = [];
  const orgIds: string[] = [];
  const expected = new Map<string, Plaintexts>();

  /** A process of this deployment started with these master keys, on the shared database. */
  async function runtimeWith(masterKey: string, previous?: string): Promise<Runtime> {
    const config = testConfig({ MASTER_KEY: masterKey, ...(previous ? { MASTER_KEY_PREVIOUS: previous } : {}) });
    const logger = createLogger({ level: 'warn', destination: memoryLogDestination([]) });
    const runtime = await openRuntime(config, logger, { migrations: 'require-current', database: db.handle, closeDatabase: false });
    runtimes.push(runtime);
    return runtime;
  }

  const snapshotKeys = async (runtime: Runtime) =>
    (await Promise.all(orgIds.map((orgId) => keysOf(runtime, orgId))))
      .flat()
      .map((k) => `${k.id}:${k.masterKeyId}:${k.wrappedKey.toString('hex')}`);

  beforeAll(async () => {
    db = await openIsolatedTestDatabase();
    const a = await runtimeWith(keyA);
    for (let i = 0; i < 3; i++) {
      const name = uniqueName(`master-${i}`);
      const doc = {
        orgs: [
          {
            name,
            providerKeys: [
              { provider: 'openai', key: `sk-master-openai-${i}-${randomUUID()}` },
              { provider: 'anthropic', key: `sk-ant-master-${i}-${randomUUID()}` },
            ],
            projects: [{ name: 'app' }],
          },
        ],
      };
      await applyBootstrap(parseBootstrapText(stringify(doc), 'master.yaml'), { db: a.apiDb, keyring: a.keyring, ctx });
      const orgId = (await findOrganizationId(a.apiDb, name))!;
      orgIds.push(orgId);
      await a.apiDb.withTenant(orgId, (tx) => setOrgSecret(tx, orgId, 'budget_webhook', `whsec_${randomUUID()}`, a.keyring, ctx));
      const dataKeyId = await activeKeyId(a, orgId);
      for (let n = 0; n < 3; n++) await storeBody(a, orgId, dataKeyId, `org ${i} body ${n}`);
    }
    // The first org is in the middle of a tenant-key rotation: a retired key still holds its
    // bodies. Master rotation must re-wrap retired keys too, or those bodies would be lost.
    let batches = 0;
    await expect(
      rotateTenantKey(depsOf(a), orgIds[0]!, ctx, {
        batchSize: 10,
        graceMs: 0,
        afterBatch: () => {
          if (++batches === 2) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    expect((await keysOf(a, orgIds[0]!)).map((k) => k.status).sort()).toEqual(['active', 'retired']);
    for (const orgId of orgIds) expected.set(orgId, await readEverything(a, orgId));
  });
  afterAll(async () => {
    for (const runtime of runtimes) {
      await runtime.close();
      rmSync(runtime.config.dataDir, { recursive: true, force: true });
    }
    await db?.close();
  });

  it('refuses, naming the master key, when a data key is wrapped by a key it was not given; nothing changes', async () => {
    const bOnly = await runtimeWith(keyB);
    const before = await snapshotKeys(bOnly);
    const attempt = rotateMasterKey(depsOf(bOnly), ctx);
    await expect(attempt).rejects.toBeInstanceOf(MasterKeyNotConfiguredError);
    await expect(attempt).rejects.toThrow(new RegExp(`master key ${idA}.*not configured.*MASTER_KEY_PREVIOUS.*Nothing was changed`));
    expect(await snapshotKeys(bOnly)).toEqual(before);
    const [refused] = await auditRows(db.handle.db, null, 'instance.master_key_rotated');
    expect(refused).toMatchObject({ outcome: 'failure', target_id: idB, diff: { rewrapped: 0, orgs: 0 } });
    expect(refused!.reason).toContain(idA);
  });

  it('checks every org before touching any: one org under an unknown key stops the run before the others are re-wrapped', async () => {
    // An org whose data key was made under a third master key, and whose id sorts last, so a
    // run without the up-front check would re-wrap the other orgs before reaching it.
    const keyC = generateMasterKey();
    const c = await runtimeWith(keyC);
    const lastId = 'ffffffff-ffff-4fff-bfff-ffffffffffff';
    const name = uniqueName('master-c');
    await c.apiDb.withTenant(lastId, async (tx) => {
      await tx.insert(organizations).values({ id: lastId, name });
      await setOrgSecret(tx, lastId, 'budget_webhook', 'whsec_c', c.keyring, ctx);
    });
    const both = await runtimeWith(keyB, keyA);
    const before = await snapshotKeys(both);
    await expect(rotateMasterKey(depsOf(both), ctx)).rejects.toThrow(
      new RegExp(`1 data key\\(s\\) are wrapped by master key ${parseMasterKey(keyC).id}, which is not configured`),
    );
    expect(await snapshotKeys(both)).toEqual(before);
    // Deleting that org destroys its data key, and with it the obstacle.
    await deleteOrganization(depsOf(both), lastId, ctx, { lock: 'wait', precondition: confirmedByName(name) });
  });

  it('an interrupted run leaves whole orgs rotated and the rest untouched; running it again finishes', async () => {
    const both = await runtimeWith(keyB, keyA);
    // A user whose audit key (src/audit/personal-data.ts) is wrapped by the old master key.
    const a = await runtimeWith(keyA);
    const userId = randomUUID();
    const userKey = await a.apiDb.withRole(async (tx) => {
      await tx.insert(users).values({ id: userId, email: `${userId}@rotate.test`, name: 'Rotating User' });
      return userKeyFor(tx, a.keyring, userId);
    });
    const interrupted = rotateMasterKey(depsOf(both), ctx, {
      afterOrg: () => {
        throw new Error('simulated crash after the first org');
      },
    });
    await expect(interrupted).rejects.toThrow('simulated crash');
    const masterIdsByOrg = await Promise.all(
      orgIds.map(async (orgId) => [...new Set((await keysOf(both, orgId)).map((k) => k.masterKeyId))]),
    );
    expect(masterIdsByOrg.filter((ids) => ids.join() === idB)).toHaveLength(1);
    expect(masterIdsByOrg.filter((ids) => ids.join() === idA)).toHaveLength(2);
    const firstDone = orgIds[masterIdsByOrg.findIndex((ids) => ids.join() === idB)]!;
    const firstDoneKeys = (await keysOf(both, firstDone)).length;

    const lines: string[] = [];
    const summary = await rotateMasterKey(depsOf(both), ctx, { onProgress: (line) => lines.push(line) });
    const totalKeys = (await Promise.all(orgIds.map((orgId) => keysOf(both, orgId)))).flat().length;
    expect(summary).toEqual({
      activeMasterKeyId: idB,
      fromMasterKeyIds: [idA],
      orgs: 2,
      rewrapped: totalKeys - firstDoneKeys,
      alreadyCurrent: firstDoneKeys,
      userKeysRewrapped: 1,
    });
    expect(lines.join('\n')).toMatch(/2 org\(s\) have data keys to re-wrap/);
    // The user's key is the same key, now wrapped by the new master key alone.
    const bOnly = await runtimeWith(keyB);
    const reopened = await bOnly.apiDb.withRole((tx) => loadUserKeys(tx, bOnly.keyring, [userId]));
    expect(reopened.get(userId)?.equals(userKey!)).toBe(true);
    for (const orgId of orgIds) {
      expect((await keysOf(both, orgId)).every((k) => k.masterKeyId === idB)).toBe(true);
      const [rewrapped] = await auditRows(db.handle.db, orgId, 'tenant_key.rewrapped');
      expect(rewrapped?.diff).toMatchObject({ fromMasterKeyIds: [idA], toMasterKeyId: idB });
    }
    const runs = await auditRows(db.handle.db, null, 'instance.master_key_rotated');
    expect(runs.map((r) => r.outcome)).toEqual(['failure', 'failure', 'failure', 'success']);
    expect(runs[3]!.diff).toEqual({
      fromMasterKeyIds: [idA],
      toMasterKeyId: idB,
      orgs: 2,
      userKeysRewrapped: 1,
      rewrapped: totalKeys - firstDoneKeys,
      alreadyCurrent: firstDoneKeys,
    });
    // Counts and fingerprints only: no wrapped or plain key material anywhere in the trail.
    const trail = JSON.stringify(await queryRows(db.handle.db, sql`select * from audit_events`));
    for (const key of [keyA, keyB]) expect(trail).not.toContain(key);
  });

  it('afterwards everything decrypts with the new master key alone, and no longer with the old one', async () => {
    const bOnly = await runtimeWith(keyB);
    for (const orgId of orgIds) expect(await readEverything(bOnly, orgId)).toEqual(expected.get(orgId));
    // The org mid-way through a tenant rotation can finish it under the new master key.
    const finished = await rotateTenantKey(depsOf(bOnly), orgIds[0]!, ctx, { graceMs: 0 });
    expect(finished.deletedDataKeyIds).toHaveLength(1);
    expect(await readEverything(bOnly, orgIds[0]!)).toEqual(expected.get(orgIds[0]!));
    expect(await rotateMasterKey(depsOf(bOnly), ctx)).toMatchObject({ orgs: 0, rewrapped: 0, alreadyCurrent: orgIds.length });

    const aOnly = await runtimeWith(keyA);
    await expect(readEverything(aOnly, orgIds[1]!)).rejects.toBeInstanceOf(UnknownMasterKeyError);
  });
});

describe('rotate-tenant, while the gateway serves', () => {
  let fx: GatewayFixture;
  let deps: TenantRotationDeps;

  const chat = async (gatewayUrl: string, text: string) => {
    const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fx.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: text }] }),
    });
    await response.arrayBuffer();
    return response.status;
  };
  const bodyCount = async () =>
    (await fx.server.runtime.apiDb.withTenant(fx.orgId, (tx) => tx.select({ id: requestBodies.id }).from(requestBodies))).length;
  const waitForBodies = (n: number) => eventually(async () => ((await bodyCount()) >= n ? true : undefined), 20_000);

  beforeAll(async () => {
    fx = await startGatewayFixture({ projectSettings: { logBodies: true } });
    const { runtime } = fx.server;
    deps = depsOf(runtime);
    await runtime.apiDb.withTenant(fx.orgId, (tx) =>
      setOrgSecret(tx, fx.orgId, 'budget_webhook', `whsec_${randomUUID()}`, runtime.keyring, ctx),
    );
    for (let i = 0; i < 5; i++) expect(await chat(fx.gatewayUrl, `before rotation ${i}`)).toBe(200);
    await waitForBodies(5);
  });
  afterAll(async () => fx?.stop());

  it('interrupted, then resumed: a new active key, every ciphertext re-encrypted under it, the old key destroyed', async () => {
    const { runtime } = fx.server;
    const oldKeyId = await activeKeyId(runtime, fx.orgId);
    const before = await readEverything(runtime, fx.orgId);
    expect(Object.keys(before.providerKeys).length).toBeGreaterThan(3);

    let batches = 0;
    await expect(
      rotateTenantKey(deps, fx.orgId, ctx, {
        batchSize: 2,
        graceMs: 0,
        afterBatch: () => {
          if (++batches === 2) throw new Error('simulated crash');
        },
      }),
    ).rejects.toThrow('simulated crash');
    const newKeyId = await activeKeyId(runtime, fx.orgId);
    expect(newKeyId).not.toBe(oldKeyId);
    expect((await keysOf(runtime, fx.orgId)).find((k) => k.id === oldKeyId)?.status).toBe('retired');
    const split = await runtime.apiDb.withTenant(fx.orgId, (tx) => tx.select({ k: providerKeys.tenantKeyId }).from(providerKeys));
    expect(new Set(split.map((r) => r.k))).toEqual(new Set([oldKeyId, newKeyId]));

    // Mid-rotation the gateway serves: provider keys under either key decrypt, bodies are stored.
    for (let i = 0; i < 3; i++) expect(await chat(fx.gatewayUrl, `during rotation ${i}`)).toBe(200);
    await waitForBodies(8);
    const during = await readEverything(runtime, fx.orgId);

    const lines: string[] = [];
    const summary = await rotateTenantKey(deps, fx.orgId, ctx, { batchSize: 2, graceMs: 0, onProgress: (l) => lines.push(l) });
    expect(summary).toMatchObject({
      orgId: fx.orgId,
      activeDataKeyId: newKeyId,
      newKeyCreated: false,
      deletedDataKeyIds: [oldKeyId],
      remainingDataKeyIds: [],
    });
    expect(lines.join('\n')).toContain('Continuing an earlier rotation');
    // The old key row is gone: only the new one remains, and everything is sealed under it.
    expect((await keysOf(runtime, fx.orgId)).map((k) => [k.id, k.status])).toEqual([[newKeyId, 'active']]);
    const tables = [providerKeys, orgSecrets, requestBodies] as const;
    for (const table of tables) {
      const rows = await runtime.apiDb.withTenant(fx.orgId, (tx) => tx.select({ k: table.tenantKeyId }).from(table));
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.k === newKeyId)).toBe(true);
    }
    // Same plaintexts, same associated data (org, row id, purpose): re-encrypted, not changed.
    expect(await readEverything(runtime, fx.orgId)).toEqual(during);
    expect(during.providerKeys).toEqual(before.providerKeys);

    const rotated = await auditRows(runtime.database.db, fx.orgId, 'tenant_key.rotated');
    expect(rotated.map((r) => r.outcome)).toEqual(['failure', 'success']);
    expect(rotated[1]!.diff).toMatchObject({ resumed: true, deletedDataKeyIds: [oldKeyId], remainingDataKeyIds: [] });
    const created = await auditRows(runtime.database.db, fx.orgId, 'tenant_key.created');
    expect(created.at(-1)).toMatchObject({ target_id: newKeyId, diff: { replacesDataKeyId: oldKeyId } });
    expect((await auditRows(runtime.database.db, fx.orgId, 'tenant_key.deleted')).map((r) => r.target_id)).toEqual([oldKeyId]);
  });

  it('after the rotation the gateway still calls the provider, and so does a fresh replica that cached nothing', async () => {
    expect(await chat(fx.gatewayUrl, 'after rotation')).toBe(200);
    const replica = await startGatewayReplica(fx);
    try {
      // The fake provider checks the key: a 200 means the re-encrypted provider key decrypted.
      expect(await chat(replica.gatewayUrl, 'after rotation, new replica')).toBe(200);
    } finally {
      await replica.stop();
    }
    // Both bodies are written before the next rotation starts: that test's clock skips the grace
    // period, which in production is what lets a log writer's last batch land under the old key.
    await waitForBodies(10);
  });

  it('waits out the grace period, then re-encrypts what a gateway sealed under the retired key meanwhile before destroying it', async () => {
    const { runtime } = fx.server;
    const oldKeyId = await activeKeyId(runtime, fx.orgId);
    const waits: number[] = [];
    let straggler = '';
    let clock = Date.now();
    const summary = await rotateTenantKey(deps, fx.orgId, ctx, {
      graceMs: 60_000,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        // A replica whose log writer still holds the old key seals a body under it.
        straggler = await storeBody(runtime, fx.orgId, oldKeyId, 'straggler');
        clock += ms;
      },
    });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(55_000);
    expect(waits[0]).toBeLessThanOrEqual(60_000);
    expect(summary.deletedDataKeyIds).toEqual([oldKeyId]);
    const everything = await readEverything(runtime, fx.orgId);
    expect(everything.bodies[straggler]).toEqual(['request straggler', 'response straggler']);
  });

  it('the database itself refuses to destroy an active key, or a retired key a stored body still uses', async () => {
    const { runtime } = fx.server;
    const orgName = uniqueName('shred-policy');
    await applyBootstrap(parseBootstrapText(stringify({ orgs: [{ name: orgName }] }), 'p.yaml'), {
      db: runtime.apiDb,
      keyring: runtime.keyring,
      ctx,
    });
    const orgId = (await findOrganizationId(runtime.apiDb, orgName))!;
    const [active, retired] = [randomUUID(), randomUUID()];
    await runtime.apiDb.withTenant(orgId, (tx) =>
      tx.insert(tenantKeys).values([
        { id: active, orgId, masterKeyId: 'mk_test', wrappedKey: Buffer.alloc(60) },
        { id: retired, orgId, masterKeyId: 'mk_test', wrappedKey: Buffer.alloc(60), status: 'retired', retiredAt: new Date() },
      ]),
    );
    const bodyId = randomUUID();
    await runtime.gatewayDb.withTenant(orgId, (tx) =>
      tx
        .insert(requestBodies)
        .values({ id: bodyId, orgId, requestLogId: randomUUID(), tenantKeyId: retired, requestCiphertext: Buffer.alloc(40) }),
    );
    const destroy = (id: string) =>
      runtime.apiDb.withTenant(orgId, (tx) =>
        tx
          .delete(tenantKeys)
          .where(and(eq(tenantKeys.orgId, orgId), eq(tenantKeys.id, id)))
          .returning(),
      );
    expect(await destroy(active)).toEqual([]);
    expect(await destroy(retired)).toEqual([]);
    // Once the body has moved to another key, the retired key can go.
    await runtime.apiDb.withTenant(orgId, (tx) =>
      tx.update(requestBodies).set({ tenantKeyId: active }).where(eq(requestBodies.id, bodyId)),
    );
    expect((await destroy(retired)).map((k) => k.id)).toEqual([retired]);
  });
});

describe('the commands, through a running server and directly', () => {
  const TIMEOUT_MS = 120_000;
  let envFile: string;
  let dataDir: string;
  let env: Record<string, string>;

  beforeAll(() => {
    const root = makeTempDir();
    envFile = emptyEnvFile(root);
    dataDir = join(root, 'data');
    env = cliEnv({ PORTCULLIS_DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: '5000' });
    writeFileSync(
      join(root, 'orgs.yaml'),
      `orgs:\n  - name: Rotating\n    providerKeys: [{ provider: openai, key: sk-cli-rotation-${randomUUID()} }]\n    projects:\n      - name: web\n        apiKeys: [{ name: ci }]\n`,
    );
  });
  afterAll(async () => {
    await stopChildren({ all: true });
    removeTempDirs();
  });
  const cli = (args: string[], extraEnv: Record<string, string> = {}) => runCli([...args, '--env-file', envFile], { ...env, ...extraEnv });
  const json = <T>(stdout: string) => JSON.parse(stdout) as T;

  it(
    'rotate-tenant and rotate-master through the server (with a second master key), then directly with the new key alone',
    async () => {
      let server = await startServer(env, ['--env-file', envFile]);
      const bootstrap = await cli(['bootstrap', join(dataDir, '..', 'orgs.yaml')]);
      expect(bootstrap.code, bootstrap.stderr).toBe(0);
      const apiKey = json<{ apiKeys: { key: string }[] }>(bootstrap.stdout).apiKeys[0]!.key;
      const gateway = async () => (await getJson(`${server.gatewayUrl}/v1/models`, { authorization: `Bearer ${apiKey}` })).status;

      const tenant = await cli(['keys', 'rotate-tenant', 'rotating', '--grace', '0']);
      expect(tenant.code, tenant.stderr).toBe(0);
      expect(tenant.stderr).toContain('Running inside the Portcullis server');
      expect(tenant.stderr).toMatch(/providerKeys: re-encrypted 1/);
      const tenantSummary = json<{ newKeyCreated: boolean; reencrypted: { providerKeys: number }; deletedDataKeyIds: string[] }>(
        tenant.stdout,
      );
      expect(tenantSummary).toMatchObject({ newKeyCreated: true, reencrypted: { providerKeys: 1 } });
      expect(tenantSummary.deletedDataKeyIds).toHaveLength(1);
      expect(await gateway()).toBe(200);

      const missing = await cli(['keys', 'rotate-tenant', 'nobody', '--grace', '0']);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('No organization named "nobody"');

      // Restart with a new master key; the generated one becomes the previous key.
      const oldKey = readFileSync(join(dataDir, 'secrets', 'master-key'), 'utf8').trim();
      const newKey = generateMasterKey();
      await stopProcess(server);
      const rotationEnv = { MASTER_KEY: newKey, MASTER_KEY_PREVIOUS: oldKey };
      server = await startServer({ ...env, ...rotationEnv }, ['--env-file', envFile]);
      const master = await cli(['keys', 'rotate-master'], rotationEnv);
      expect(master.code, master.stderr).toBe(0);
      expect(master.stderr).toMatch(/org 1\/1 .*: re-wrapped 1 data key/);
      expect(json(master.stdout)).toEqual({
        activeMasterKeyId: parseMasterKey(newKey).id,
        fromMasterKeyIds: [parseMasterKey(oldKey).id],
        orgs: 1,
        rewrapped: 1,
        alreadyCurrent: 0,
        userKeysRewrapped: 0,
      });
      expect(master.stderr).toContain('remove MASTER_KEY_PREVIOUS');
      expect(await gateway()).toBe(200);
      await stopProcess(server);

      // Directly on the data dir, with the new key alone: nothing left to re-wrap, and a tenant
      // rotation (which decrypts every secret) succeeds.
      const again = await cli(['keys', 'rotate-master'], { MASTER_KEY: newKey });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).not.toContain('Running inside');
      expect(json(again.stdout)).toMatchObject({ orgs: 0, rewrapped: 0, alreadyCurrent: 1 });
      const direct = await cli(['keys', 'rotate-tenant', 'Rotating'], { MASTER_KEY: newKey });
      expect(direct.code, direct.stderr).toBe(0);
      expect(json<{ reencrypted: { providerKeys: number }; deletedDataKeyIds: string[] }>(direct.stdout)).toMatchObject({
        reencrypted: { providerKeys: 1 },
      });
      // With the old key alone, the data key cannot be unwrapped: a clear refusal.
      const oldOnly = await cli(['keys', 'rotate-master'], { MASTER_KEY: oldKey });
      expect(oldOnly.code).toBe(1);
      expect(oldOnly.stderr).toContain(`master key ${parseMasterKey(newKey).id}`);
      expect(oldOnly.stderr).toContain('Nothing was changed');

      const badGrace = await cli(['keys', 'rotate-tenant', 'Rotating', '--grace', 'soon'], { MASTER_KEY: newKey });
      expect(badGrace.code).toBe(2);
      expect(badGrace.stderr).toContain('--grace');
    },
    TIMEOUT_MS * 2,
  );
});
