/**
 * MASTER_KEY_PROVIDER=vault-transit|aws-kms: data keys wrapped by a KMS (fakes on loopback that
 * check requests as the real services do), a gateway request served with a KMS-wrapped provider
 * key, a fresh replica (as after a restart) still decrypting, the unwrap cache keeping the KMS off
 * the request path, tampering refused, `keys rotate-master` from a local key to the KMS and to a
 * new KMS key version, and a clear, secret-free error when the KMS is down.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/audit/context.js';
import { loadUserKeys, userKeyFor } from '../src/audit/personal-data.js';
import { rotateMasterKey } from '../src/credentials/master-key-rotation.js';
import { setOrgSecret } from '../src/credentials/org-secrets.js';
import { dataKeyById } from '../src/credentials/tenant-keys.js';
import { DecryptionError } from '../src/crypto/aead.js';
import { unwrapDataKeyWith } from '../src/crypto/data-key-wrapping.js';
import { KmsUnavailableError } from '../src/crypto/kms/key-wrapper.js';
import { organizations, tenantKeys, userDataKeys, users } from '../src/db/schema/index.js';
import { createLogger } from '../src/logging/logger.js';
import { openRuntime } from '../src/server/runtime.js';
import { startFakeAwsKms, type FakeAwsKms } from './fakes/aws-kms.js';
import { startFakeVaultTransit, type FakeVaultTransit } from './fakes/vault-transit.js';
import { uniqueName } from './support/database.js';
import { startGatewayFixture, type GatewayFixture } from './support/gateway.js';
import { memoryLogDestination, startTestServer, testConfig, type TestServer } from './support/server.js';

const ctx = { actor: systemActor('cli', 'kms-test'), requestId: null };

async function chat(fx: GatewayFixture, gatewayUrl = fx.gatewayUrl): Promise<number> {
  const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fx.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'hello' }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

async function orgKeys(server: TestServer, orgId: string) {
  return server.runtime.apiDb.withTenant(orgId, (tx) => tx.select().from(tenantKeys).where(eq(tenantKeys.orgId, orgId)));
}

/** What every KMS provider must do, given the fixture's env and the call counter of its fake. */
function providerContract(name: string, setup: () => { env: Record<string, string>; id: string; decrypts: () => number }) {
  describe(name, () => {
    let fx: GatewayFixture;
    let replica: TestServer;
    let env: Record<string, string>;
    let id: string;
    let decrypts: () => number;

    beforeAll(async () => {
      ({ env, id, decrypts } = setup());
      fx = await startGatewayFixture({ env });
    }, 60_000);
    afterAll(async () => {
      await replica?.stop();
      await fx?.stop();
    });

    it('wraps the org data key with the KMS and serves a gateway request with the provider key', async () => {
      const keys = await orgKeys(fx.server, fx.orgId);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((k) => k.masterKeyId === id)).toBe(true);
      expect(await chat(fx)).toBe(200);
    });

    it('a fresh replica (as after a restart) decrypts through the KMS once, then from its cache', async () => {
      replica = await startTestServer({ services: ['gateway'], shareDatabaseWith: fx.server, env: { LOG_LEVEL: 'warn', ...env } });
      const before = decrypts();
      expect(await chat(fx, replica.gatewayUrl)).toBe(200);
      const afterFirst = decrypts();
      expect(afterFirst).toBe(before + 1);
      for (let i = 0; i < 3; i += 1) expect(await chat(fx, replica.gatewayUrl)).toBe(200);
      // Outside the gateway's own caches too: the keyring's unwrap cache answers.
      const [key] = await orgKeys(replica, fx.orgId);
      for (let i = 0; i < 3; i += 1)
        await replica.runtime.apiDb.withTenant(fx.orgId, (tx) => dataKeyById(tx, fx.orgId, key!.id, replica.runtime.keyring));
      expect(decrypts()).toBe(afterFirst);
    });

    it('refuses a wrapped key presented for another org or data key, or tampered with', async () => {
      const [key] = await orgKeys(fx.server, fx.orgId);
      const keyring = replica.runtime.keyring;
      keyring.remote!.cache.clear();
      const open = (wrapped: Buffer, orgId: string, dataKeyId: string) =>
        unwrapDataKeyWith(keyring, key!.masterKeyId, wrapped, { orgId, dataKeyId });
      await expect(open(key!.wrappedKey, randomUUID(), key!.id)).rejects.toBeInstanceOf(DecryptionError);
      await expect(open(key!.wrappedKey, fx.orgId, randomUUID())).rejects.toBeInstanceOf(DecryptionError);
      const tampered = Buffer.from(key!.wrappedKey);
      tampered[tampered.length - 3] = tampered[tampered.length - 3] === 0x41 ? 0x42 : 0x41;
      await expect(open(tampered, fx.orgId, key!.id)).rejects.toBeInstanceOf(DecryptionError);
      expect((await open(key!.wrappedKey, fx.orgId, key!.id)).length).toBe(32);
    });
  });
}

describe('KMS master key', () => {
  let vault: FakeVaultTransit;
  let kms: FakeAwsKms;
  const vaultEnv = (key = 'portcullis') => ({
    MASTER_KEY_PROVIDER: 'vault-transit',
    VAULT_ADDR: vault.url,
    VAULT_TOKEN: vault.token,
    MASTER_KEY_VAULT_KEY: key,
  });

  beforeAll(async () => {
    [vault, kms] = await Promise.all([startFakeVaultTransit(), startFakeAwsKms()]);
    vault.createKey('portcullis');
    kms.createKey('alias/portcullis');
    // The SDK's default credential and region chain, as on a real host.
    process.env.AWS_REGION = kms.region;
    process.env.AWS_ACCESS_KEY_ID = kms.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = kms.secretAccessKey;
  });
  afterAll(async () => {
    await Promise.all([vault?.close(), kms?.close()]);
  });

  providerContract('vault-transit', () => ({ env: vaultEnv(), id: 'vault-transit:portcullis', decrypts: () => vault.calls.decrypt }));
  providerContract('aws-kms', () => ({
    env: { MASTER_KEY_PROVIDER: 'aws-kms', MASTER_KEY_AWS_KMS_KEY_ID: 'alias/portcullis', MASTER_KEY_AWS_KMS_ENDPOINT: kms.url },
    id: 'aws-kms:alias/portcullis',
    decrypts: () => kms.calls.Decrypt,
  }));

  describe('rotate-master: local key to Vault, then to a new Vault key version', () => {
    let local: TestServer;
    let onVault: TestServer;
    const orgId = randomUUID();
    const userId = randomUUID();
    let userKey: Buffer | undefined;

    beforeAll(async () => {
      local = await startTestServer({ services: [], isolatedDatabase: true });
      await local.runtime.apiDb.withTenant(orgId, async (tx) => {
        await tx.insert(organizations).values({ id: orgId, name: uniqueName('kms-rotate') });
        await setOrgSecret(tx, orgId, 'budget_webhook', 'whsec_kms_rotation', local.runtime.keyring, ctx);
      });
      userKey = await local.runtime.apiDb.withRole(async (tx) => {
        await tx.insert(users).values({ id: userId, email: `${userId}@kms.test`, name: 'KMS User' });
        return userKeyFor(tx, local.runtime.keyring, userId);
      });
      // The old local key stays configured (MASTER_KEY, shared from `local`): unwrap only.
      onVault = await startTestServer({ services: [], shareDatabaseWith: local, env: vaultEnv() });
    }, 60_000);
    afterAll(async () => {
      await onVault?.stop();
      await local?.stop();
    });

    it('moves every data key and user key from the local master key to Vault', async () => {
      const localId = local.runtime.keyring.active!.id;
      const summary = await rotateMasterKey({ db: onVault.runtime.apiDb, keyring: onVault.runtime.keyring }, ctx);
      expect(summary).toMatchObject({ activeMasterKeyId: 'vault-transit:portcullis', fromMasterKeyIds: [localId], userKeysRewrapped: 1 });
      const keys = await orgKeys(onVault, orgId);
      expect(keys.map((k) => k.masterKeyId)).toEqual(['vault-transit:portcullis']);
      expect(keys[0]!.wrappedKey.toString('utf8')).toMatch(/^vault:v1:/);
      // A process with no local key at all still opens everything, through Vault alone.
      const config = testConfig(vaultEnv());
      const vaultOnly = await openRuntime(
        { ...config, masterKey: undefined },
        createLogger({ level: 'warn', destination: memoryLogDestination([]) }),
        {
          migrations: 'require-current',
          database: local.runtime.database,
          closeDatabase: false,
        },
      );
      try {
        expect(vaultOnly.keyring.active).toBeUndefined();
        const reopened = await vaultOnly.apiDb.withRole((tx) => loadUserKeys(tx, vaultOnly.keyring, [userId]));
        expect(reopened.get(userId)?.equals(userKey!)).toBe(true);
        const dataKey = await vaultOnly.apiDb.withTenant(orgId, (tx) => dataKeyById(tx, orgId, keys[0]!.id, vaultOnly.keyring));
        expect(dataKey.key.length).toBe(32);
      } finally {
        await vaultOnly.close();
      }
    });

    it('after a Vault key rotation, --refresh re-wraps under the newest version and everything still opens', async () => {
      const before = (await orgKeys(onVault, orgId))[0]!;
      await fetch(`${vault.url}/v1/transit/keys/portcullis/rotate`, { method: 'POST', headers: { 'X-Vault-Token': vault.token } });
      expect(vault.latestVersion('portcullis')).toBe(2);
      const rewraps = vault.calls.rewrap;
      await rotateMasterKey({ db: onVault.runtime.apiDb, keyring: onVault.runtime.keyring }, ctx, { refreshKmsVersions: true });
      expect(vault.calls.rewrap).toBeGreaterThan(rewraps);
      const after = (await orgKeys(onVault, orgId))[0]!;
      expect(after.wrappedKey.toString('utf8')).toMatch(/^vault:v2:/);
      const [userRow] = await onVault.runtime.apiDb.withRole((tx) => tx.select().from(userDataKeys).where(eq(userDataKeys.userId, userId)));
      expect(userRow!.wrappedKey.toString('utf8')).toMatch(/^vault:v2:/);
      onVault.runtime.keyring.remote!.cache.clear();
      const keyring = onVault.runtime.keyring;
      const open = (wrapped: Buffer) => unwrapDataKeyWith(keyring, after.masterKeyId, wrapped, { orgId, dataKeyId: after.id });
      expect((await open(after.wrappedKey)).equals(await open(before.wrappedKey))).toBe(true);
    });

    it('KMS unavailable: start-up fails naming the provider, a request path fails with KmsUnavailableError, no token in logs', async () => {
      vault.unavailable = true;
      try {
        const lines: string[] = [];
        const config = testConfig(vaultEnv());
        const attempt = openRuntime(config, createLogger({ level: 'info', destination: memoryLogDestination(lines) }), {
          migrations: 'require-current',
          database: local.runtime.database,
          closeDatabase: false,
        });
        await expect(attempt).rejects.toThrow(/MASTER_KEY_PROVIDER=vault-transit \(vault-transit:portcullis\) is not usable: .*HTTP 503/);
        const message = await attempt.catch((error: Error) => error.message);
        expect(message).not.toContain(vault.token);

        onVault.runtime.keyring.remote!.cache.clear();
        const [key] = await orgKeys(onVault, orgId);
        const failing = onVault.runtime.apiDb.withTenant(orgId, (tx) => dataKeyById(tx, orgId, key!.id, onVault.runtime.keyring));
        await expect(failing).rejects.toBeInstanceOf(KmsUnavailableError);
        for (const line of [...lines, ...onVault.logLines, ...local.logLines]) expect(line).not.toContain(vault.token);
      } finally {
        vault.unavailable = false;
      }
    });
  });

  it('a missing KMS variable fails start-up with a message naming it', () => {
    expect(() => testConfig({ MASTER_KEY_PROVIDER: 'vault-transit', VAULT_ADDR: 'http://127.0.0.1:1' })).toThrow(
      /MASTER_KEY_PROVIDER=vault-transit: set VAULT_TOKEN, MASTER_KEY_VAULT_KEY/,
    );
    expect(() => testConfig({ MASTER_KEY_PROVIDER: 'aws-kms' })).toThrow(/MASTER_KEY_PROVIDER=aws-kms: set MASTER_KEY_AWS_KMS_KEY_ID/);
  });
});
