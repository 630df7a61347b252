/**
 * Secret references (vault://, aws-sm://, gcp-sm://, azure-kv://) resolved through the official
 * clients against local fakes of each service, at start-up and on refresh. No value may reach an
 * error message or a log line: every test that sees a secret adds it to `secretsSeen`, and the
 * last test greps every captured log line for all of them.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/load.js';
import type { ConfigSources } from '../src/config/sources.js';
import { generateMasterKey } from '../src/crypto/master-key.js';
import type { Logger } from '../src/logging/logger.js';
import { resolveConfigReferences } from '../src/secrets/config-references.js';
import { followDatabaseUrl } from '../src/secrets/database-url.js';
import { loadConfigResolvingReferences } from '../src/secrets/load-config.js';
import { onMasterKeysChange } from '../src/secrets/master-keys.js';
import { describeReference, parseSecretReference } from '../src/secrets/reference.js';
import { startSecretRefresh } from '../src/secrets/refresh.js';
import { SecretValues } from '../src/secrets/secret-values.js';
import { startFakeSecretsManager, type FakeSecretsManager } from './fakes/aws-secrets-manager.js';
import { makeTestCertificate, startFakeAzureKeyVault, type FakeAzureKeyVault, type TestCertificate } from './fakes/azure-key-vault.js';
import { startFakeSecretManager, type FakeSecretManager } from './fakes/gcp-secret-manager.js';
import { startFakeVault, type FakeVault } from './fakes/vault-kv.js';
import {
  cliEnv,
  emptyEnvFile,
  makeTempDir,
  removeTempDirs,
  repoRoot,
  runCli,
  START_TIMEOUT_MS,
  startServer,
  stopChildren,
} from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'portcullis-secret-refs-'));
const secret = (label: string) => {
  const value = `${label}-${randomBytes(30).toString('base64url')}`;
  secretsSeen.add(value);
  return value;
};
const secretsSeen = new Set<string>();
const logLines: string[] = [];

/** A pino logger WITHOUT the secret scrubber: what these modules log must be clean on its own. */
function captureLogger(): Logger {
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return pino({ level: 'trace' }, stream);
}

const vaultToken = `hvs.${randomBytes(16).toString('base64url')}`;
const awsKeyId = 'AKIAFAKE000000000001';
const awsSecretKey = randomBytes(30).toString('base64');
const gcpToken = `ya29.${randomBytes(24).toString('base64url')}`;
secretsSeen.add(vaultToken).add(awsSecretKey).add(gcpToken);

let vault: FakeVault;
let aws: FakeSecretsManager;
let gcp: FakeSecretManager;

const base = { PORTCULLIS_DATA_DIR: join(dir, 'data'), SECRETS_REFRESH_SECONDS: '0' };
const vaultEnv = () => ({ ...base, VAULT_ADDR: vault.url, VAULT_TOKEN: vaultToken });
const awsEnv = () => ({
  ...base,
  SECRETS_AWS_ENDPOINT: aws.url,
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: awsKeyId,
  AWS_SECRET_ACCESS_KEY: awsSecretKey,
});
const gcpEnv = () => ({ ...base, SECRETS_GCP_ENDPOINT: gcp.url, SECRETS_GCP_ACCESS_TOKEN: gcpToken });

async function configError(sources: ConfigSources): Promise<string[]> {
  try {
    await loadConfigResolvingReferences(sources, dir);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

beforeAll(async () => {
  [vault, aws, gcp] = await Promise.all([
    startFakeVault({ mounts: ['secret', 'kv'], kubernetes: { role: 'portcullis', jwt: 'k8s-sa-jwt-for-tests' } }),
    startFakeSecretsManager({ accessKeyId: awsKeyId, region: 'eu-west-1' }),
    startFakeSecretManager({ accessToken: gcpToken }),
  ]);
  vault.addToken(vaultToken);
});

afterAll(async () => {
  await Promise.all([vault.close(), aws.close(), gcp.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('reference syntax', () => {
  it('parses the four schemes, with and without #field and versions', () => {
    expect(parseSecretReference('vault://secret/apps/portcullis#auth')).toEqual({
      scheme: 'vault',
      mount: 'secret',
      path: 'apps/portcullis',
      field: 'auth',
    });
    expect(parseSecretReference('aws-sm://arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf#url')).toMatchObject({
      scheme: 'aws-sm',
      secretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf',
      field: 'url',
    });
    expect(parseSecretReference('gcp-sm://projects/acme/secrets/auth')).toMatchObject({
      project: 'acme',
      secret: 'auth',
      version: 'latest',
    });
    expect(parseSecretReference('gcp-sm://projects/acme/secrets/auth/versions/7')).toMatchObject({ version: '7' });
    expect(parseSecretReference('azure-kv://acme-vault/auth-secret/0123abcd')).toMatchObject({
      vault: 'acme-vault',
      name: 'auth-secret',
      version: '0123abcd',
      field: undefined,
    });
    expect(describeReference(parseSecretReference('gcp-sm://projects/acme/secrets/auth#k'))).toBe(
      'gcp-sm://projects/acme/secrets/auth/versions/latest#k',
    );
  });

  it.each([
    ['vault://secret', 'expected a mount and a path'],
    ['vault://secret//x', 'each path segment'],
    ['vault://secret/../sys#x', 'each path segment'],
    ['vault://secret/app#', 'the #field'],
    ['aws-sm://', 'nothing after the scheme'],
    ['aws-sm://my secret', 'the secret id'],
    ['gcp-sm://acme/auth', 'expected projects/PROJECT/secrets/SECRET'],
    ['gcp-sm://projects/acme/secrets/auth/versions/0', 'expected projects/PROJECT/secrets/SECRET'],
    ['azure-kv://ab/x', 'the vault name'],
    ['azure-kv://acme-vault/x/1/2', 'too many path segments'],
  ])('rejects %s, naming the expected shape and not echoing the text', async (reference, reason) => {
    const problems = await configError({ env: { ...base, AUTH_SECRET: reference } });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^AUTH_SECRET: malformed [a-z-]+:\/\/ reference \(expected /);
    expect(problems[0]).toContain(reason);
    expect(problems[0]).not.toContain(reference.slice(reference.indexOf('://') + 3) || '\u0000');
  });

  it('refuses a reference in a variable that is not a secret', async () => {
    vault.setSecret('secret', 'host', { value: 'example.test' });
    const problems = await configError({ env: { ...vaultEnv(), HOST: 'vault://secret/host' } });
    expect(problems).toEqual(['HOST: cannot be a secret reference (only secrets, DATABASE_URL and REDIS_URL can)']);
  });

  it('a command that loads the configuration without resolving refuses the reference instead of using its text', () => {
    expect(() => loadConfig({ env: { ...base, AUTH_SECRET: 'vault://secret/app#auth' } }, dir)).toThrow(
      /AUTH_SECRET: is a vault:\/\/ secret reference, which this command does not resolve/,
    );
  });
});

describe('lazy loading', () => {
  it('imports no secret-manager client without references, and only its own client for a reference', async () => {
    const script = join(dir, 'lazy-child.mts');
    const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
    writeFileSync(
      script,
      `import { createRequire } from 'node:module';\n` +
        `import { loadConfigResolvingReferences } from ${url('../src/secrets/load-config.ts')};\n` +
        `try { await loadConfigResolvingReferences({ env: JSON.parse(process.argv[2]) }); } catch {}\n` +
        `const cache = Object.keys(createRequire(import.meta.url).cache);\n` +
        `process.stdout.write(JSON.stringify(['@aws-sdk', '@google-cloud', '@azure', 'google-gax'].filter((p) => cache.some((k) => k.includes('/node_modules/' + p + '/')))));\n`,
    );
    const loaded = async (env: Record<string, string>) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(env)], {
        cwd: repoRoot,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      await new Promise((resolve) => child.once('close', resolve));
      return JSON.parse(out) as string[];
    };
    expect(await loaded({ ...base, AUTH_SECRET: 'a-plain-value-that-is-long-enough-for-an-auth-secret' })).toEqual([]);
    expect(await loaded({ ...base, AUTH_SECRET: 'vault://secret/x#y', VAULT_ADDR: 'http://127.0.0.1:9', VAULT_TOKEN: 't' })).toEqual([]);
    expect(
      await loaded({ ...base, AUTH_SECRET: 'aws-sm://x', AWS_REGION: 'eu-west-1', SECRETS_AWS_ENDPOINT: 'http://127.0.0.1:9' }),
    ).toEqual(['@aws-sdk']);
  }, 60_000);
});

describe('vault:// (HashiCorp Vault KV v2)', () => {
  it('resolves with token auth: X-Vault-Token, /v1/<mount>/data/<path>, #field', async () => {
    const authSecret = secret('vault-auth');
    vault.setSecret('secret', 'apps/portcullis', { auth: authSecret, other: 'x' });
    const before = vault.requests.length;
    const config = await loadConfigResolvingReferences({ env: { ...vaultEnv(), AUTH_SECRET: 'vault://secret/apps/portcullis#auth' } }, dir);
    expect(config.authSecret).toBe(authSecret);
    expect(vault.requests.slice(before)).toEqual([
      { method: 'GET', path: '/v1/secret/data/apps/portcullis', token: vaultToken, namespace: undefined },
    ]);
  });

  it('uses the only key of a single-key secret without #field, and refuses to guess with several', async () => {
    const value = secret('single');
    vault.setSecret('kv', 'single', { value });
    const config = await loadConfigResolvingReferences({ env: { ...vaultEnv(), AUTH_SECRET: 'vault://kv/single' } }, dir);
    expect(config.authSecret).toBe(value);
    expect(await configError({ env: { ...vaultEnv(), AUTH_SECRET: 'vault://secret/apps/portcullis' } })).toEqual([
      'AUTH_SECRET: cannot resolve vault://secret/apps/portcullis: the secret has 2 keys: name one with #field',
    ]);
  });

  it('logs in with Kubernetes auth (service-account token file, role) and reads with the issued token', async () => {
    const tokenFile = join(dir, 'sa-token');
    writeFileSync(tokenFile, 'k8s-sa-jwt-for-tests\n');
    const value = secret('k8s');
    vault.setSecret('secret', 'k8s', { auth: value });
    const before = vault.requests.length;
    const config = await loadConfigResolvingReferences(
      {
        env: {
          ...base,
          VAULT_ADDR: vault.url,
          VAULT_K8S_ROLE: 'portcullis',
          VAULT_K8S_TOKEN_FILE: tokenFile,
          VAULT_NAMESPACE: 'team-a',
          AUTH_SECRET: 'vault://secret/k8s#auth',
        },
      },
      dir,
    );
    expect(config.authSecret).toBe(value);
    const [login, read] = vault.requests.slice(before);
    expect(login).toMatchObject({ method: 'POST', path: '/v1/auth/kubernetes/login', token: undefined, namespace: 'team-a' });
    expect(read).toMatchObject({ method: 'GET', path: '/v1/secret/data/k8s', namespace: 'team-a' });
    expect(read!.token).toMatch(/^hvs\./);
    expect(read!.token).not.toBe(vaultToken);
  });

  it('fails start-up naming the variable and reference: not found, bad token, wrong role, no address', async () => {
    expect(await configError({ env: { ...vaultEnv(), AUTH_SECRET: 'vault://secret/missing#auth' } })).toEqual([
      'AUTH_SECRET: cannot resolve vault://secret/missing#auth: not found (HTTP 404)',
    ]);
    expect(
      await configError({ env: { ...vaultEnv(), VAULT_TOKEN: 'hvs.wrong-token', AUTH_SECRET: 'vault://secret/apps/portcullis#auth' } }),
    ).toEqual(['AUTH_SECRET: cannot resolve vault://secret/apps/portcullis#auth: permission denied (HTTP 403)']);
    const tokenFile = join(dir, 'sa-token');
    expect(
      await configError({
        env: {
          ...base,
          VAULT_ADDR: vault.url,
          VAULT_K8S_ROLE: 'nope',
          VAULT_K8S_TOKEN_FILE: tokenFile,
          AUTH_SECRET: 'vault://secret/k8s#auth',
        },
      }),
    ).toEqual(['AUTH_SECRET: cannot resolve vault://secret/k8s#auth: Vault Kubernetes login as role nope: bad request (HTTP 400)']);
    expect(await configError({ env: { ...base, VAULT_TOKEN: vaultToken, AUTH_SECRET: 'vault://secret/k8s#auth' } })).toEqual([
      'AUTH_SECRET: cannot resolve vault://secret/k8s#auth: set VAULT_ADDR',
    ]);
  });
});

describe('aws-sm:// (AWS Secrets Manager)', () => {
  it('resolves through SecretsManagerClient: SigV4 Authorization, X-Amz-Target, JSON body, #field, by name and by ARN', async () => {
    const password = secret('pw');
    const url = `postgres://portcullis:${password}@db.internal:5432/portcullis`;
    const arn = aws.setSecret('prod/portcullis/db', JSON.stringify({ url, username: 'portcullis' }));
    const before = aws.requests.length;
    const config = await loadConfigResolvingReferences({ env: { ...awsEnv(), DATABASE_URL: 'aws-sm://prod/portcullis/db#url' } }, dir);
    expect(config.databaseUrl).toBe(url);
    expect(aws.requests.slice(before)).toEqual([
      { target: 'secretsmanager.GetSecretValue', accessKeyId: awsKeyId, region: 'eu-west-1', body: { SecretId: 'prod/portcullis/db' } },
    ]);
    const byArn = await loadConfigResolvingReferences({ env: { ...awsEnv(), DATABASE_URL: `aws-sm://${arn}#url` } }, dir);
    expect(byArn.databaseUrl).toBe(url);
  });

  it('uses the whole SecretString without #field', async () => {
    const value = secret('plain');
    aws.setSecret('plain-auth', value);
    const config = await loadConfigResolvingReferences({ env: { ...awsEnv(), AUTH_SECRET: 'aws-sm://plain-auth' } }, dir);
    expect(config.authSecret).toBe(value);
  });

  it('fails with the reference and the AWS error type: not found, unknown access key, missing field, not JSON', async () => {
    expect(await configError({ env: { ...awsEnv(), AUTH_SECRET: 'aws-sm://missing' } })).toEqual([
      'AUTH_SECRET: cannot resolve aws-sm://missing: bad request (HTTP 400), ResourceNotFoundException',
    ]);
    expect(await configError({ env: { ...awsEnv(), AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN', AUTH_SECRET: 'aws-sm://plain-auth' } })).toEqual([
      'AUTH_SECRET: cannot resolve aws-sm://plain-auth: bad request (HTTP 400), UnrecognizedClientException',
    ]);
    expect(await configError({ env: { ...awsEnv(), DATABASE_URL: 'aws-sm://prod/portcullis/db#password' } })).toEqual([
      'DATABASE_URL: cannot resolve aws-sm://prod/portcullis/db#password: the secret has no field "password"',
    ]);
    expect(await configError({ env: { ...awsEnv(), AUTH_SECRET: 'aws-sm://plain-auth#x' } })).toEqual([
      'AUTH_SECRET: cannot resolve aws-sm://plain-auth#x: #x given but the secret is not JSON',
    ]);
  });
});

describe('gcp-sm:// (Google Secret Manager)', () => {
  it('resolves through SecretManagerServiceClient over REST: Bearer token, /versions/V:access, base64 payload', async () => {
    const v1 = secret('gcp1');
    const v2 = secret('gcp2');
    gcp.addVersion('acme', 'auth-secret', v1);
    gcp.addVersion('acme', 'auth-secret', v2);
    const before = gcp.requests.length;
    const latest = await loadConfigResolvingReferences(
      { env: { ...gcpEnv(), AUTH_SECRET: 'gcp-sm://projects/acme/secrets/auth-secret' } },
      dir,
    );
    expect(latest.authSecret).toBe(v2);
    const pinned = await loadConfigResolvingReferences(
      { env: { ...gcpEnv(), AUTH_SECRET: 'gcp-sm://projects/acme/secrets/auth-secret/versions/1' } },
      dir,
    );
    expect(pinned.authSecret).toBe(v1);
    expect(gcp.requests.slice(before).map((r) => [r.method, r.path, r.authorization])).toEqual([
      ['GET', '/v1/projects/acme/secrets/auth-secret/versions/latest:access', `Bearer ${gcpToken}`],
      ['GET', '/v1/projects/acme/secrets/auth-secret/versions/1:access', `Bearer ${gcpToken}`],
    ]);
  });

  it('fails with the reference: not found, bad token', async () => {
    expect(await configError({ env: { ...gcpEnv(), AUTH_SECRET: 'gcp-sm://projects/acme/secrets/missing' } })).toEqual([
      expect.stringMatching(/^AUTH_SECRET: cannot resolve gcp-sm:\/\/projects\/acme\/secrets\/missing\/versions\/latest: not found/),
    ]);
    const problems = await configError({
      env: { ...gcpEnv(), SECRETS_GCP_ACCESS_TOKEN: 'ya29.wrong', AUTH_SECRET: 'gcp-sm://projects/acme/secrets/auth-secret' },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^AUTH_SECRET: cannot resolve gcp-sm:\/\/projects\/acme\/secrets\/auth-secret\/versions\/latest: /),
    ]);
    expect(problems[0]).toMatch(/authentication failed|HTTP 401/);
  });
});

describe('azure-kv:// (Azure Key Vault over HTTPS, Entra client credentials)', () => {
  let certificate: TestCertificate;
  let azure: FakeAzureKeyVault;
  const clientSecret = randomBytes(24).toString('base64url');
  secretsSeen.add(clientSecret);

  beforeAll(async () => {
    certificate = makeTestCertificate(dir);
    azure = await startFakeAzureKeyVault({ certificate, tenantId: 'tenant-1', clientId: 'client-1', clientSecret });
  });
  afterAll(() => azure.close());

  /** NODE_EXTRA_CA_CERTS is read only at process start, so the client runs in a child process. */
  async function resolveInChild(env: Record<string, string>): Promise<{ authSecret?: string; problems?: string[] }> {
    const script = join(dir, 'azure-child.mts');
    const url = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
    writeFileSync(
      script,
      `import { loadConfigResolvingReferences } from ${url('../src/secrets/load-config.ts')};\n` +
        `try { const c = await loadConfigResolvingReferences({ env: JSON.parse(process.argv[2]) }); process.stdout.write(JSON.stringify({ authSecret: c.authSecret })); }\n` +
        `catch (e) { process.stdout.write(JSON.stringify({ problems: e.problems ?? [String(e)] })); }\n`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(env)], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_EXTRA_CA_CERTS: certificate.certFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    await new Promise((resolve) => child.once('close', resolve));
    logLines.push(...err.split('\n').filter(Boolean));
    try {
      return JSON.parse(out) as { authSecret?: string; problems?: string[] };
    } catch {
      throw new Error(`child failed:\n${out}\n${err}`);
    }
  }

  const azureEnv = () => ({
    ...base,
    SECRETS_AZURE_VAULT_URL: `${azure.url}/{vault}`,
    AZURE_AUTHORITY_HOST: azure.url,
    AZURE_TENANT_ID: 'tenant-1',
    AZURE_CLIENT_ID: 'client-1',
    AZURE_CLIENT_SECRET: clientSecret,
  });

  it('resolves through SecretClient + ClientSecretCredential: challenge, token from the fake AAD, latest and pinned version', async () => {
    const first = secret('kv1');
    const second = secret('kv2');
    const version = azure.setSecret('acme-vault', 'auth-secret', first);
    azure.setSecret('acme-vault', 'auth-secret', second);
    expect(await resolveInChild({ ...azureEnv(), AUTH_SECRET: 'azure-kv://acme-vault/auth-secret' })).toEqual({ authSecret: second });
    expect(await resolveInChild({ ...azureEnv(), AUTH_SECRET: `azure-kv://acme-vault/auth-secret/${version}` })).toEqual({
      authSecret: first,
    });
    const paths = azure.requests.map((r) => `${r.method} ${r.path} ${r.authorization ? 'bearer' : 'anonymous'}`);
    expect(paths).toContain('POST /tenant-1/oauth2/v2.0/token anonymous');
    expect(paths).toContain('GET /acme-vault/secrets/auth-secret/ anonymous');
    expect(paths).toContain('GET /acme-vault/secrets/auth-secret/ bearer');
    expect(paths).toContain(`GET /acme-vault/secrets/auth-secret/${version} bearer`);
  }, 120_000);

  it('fails with the reference: not found, wrong client secret', async () => {
    expect(await resolveInChild({ ...azureEnv(), AUTH_SECRET: 'azure-kv://acme-vault/missing' })).toEqual({
      problems: ['AUTH_SECRET: cannot resolve azure-kv://acme-vault/missing: not found (HTTP 404), RestError'],
    });
    const wrong = await resolveInChild({
      ...azureEnv(),
      AZURE_CLIENT_SECRET: 'wrong-secret-value',
      AUTH_SECRET: 'azure-kv://acme-vault/auth-secret',
    });
    expect(wrong.problems).toHaveLength(1);
    expect(wrong.problems![0]).toMatch(/^AUTH_SECRET: cannot resolve azure-kv:\/\/acme-vault\/auth-secret: .*Authentication\w*Error/);
    expect(wrong.problems![0]).not.toContain('wrong-secret-value');
  }, 120_000);
});

describe('precedence: the reference may come from any source', () => {
  it('reads a reference from NAME_FILE (trailing newline trimmed) and resolves it', async () => {
    const value = secret('from-file-ref');
    vault.setSecret('secret', 'file-ref', { auth: value });
    const file = join(dir, 'auth-ref');
    writeFileSync(file, 'vault://secret/file-ref#auth\n');
    const config = await loadConfigResolvingReferences({ env: { ...vaultEnv(), AUTH_SECRET_FILE: file } }, dir);
    expect(config.authSecret).toBe(value);
  });

  it('a flag or env value wins over a lower-precedence reference, which is then not fetched at all', async () => {
    const file = join(dir, 'auth-ref-missing');
    writeFileSync(file, 'vault://secret/never-fetched#auth\n');
    const before = vault.requests.length;
    const direct = 'a-direct-value-long-enough-to-be-an-auth-secret-0123456789';
    const fromEnv = await loadConfigResolvingReferences({ env: { ...vaultEnv(), AUTH_SECRET: direct, AUTH_SECRET_FILE: file } }, dir);
    expect(fromEnv.authSecret).toBe(direct);
    const fromFlag = await loadConfigResolvingReferences(
      { flags: { DATABASE_URL: 'postgres://u:p@localhost/db' }, env: { ...vaultEnv(), DATABASE_URL: 'vault://secret/never-fetched#url' } },
      dir,
    );
    expect(fromFlag.databaseUrl).toBe('postgres://u:p@localhost/db');
    expect(vault.requests.length).toBe(before);
  });

  it('the secret-manager settings themselves come from NAME_FILE too', async () => {
    const tokenFile = join(dir, 'vault-token');
    writeFileSync(tokenFile, `${vaultToken}\n`);
    const value = secret('token-file');
    vault.setSecret('secret', 'token-file', { auth: value });
    const config = await loadConfigResolvingReferences(
      { env: { ...base, VAULT_ADDR: vault.url, VAULT_TOKEN_FILE: tokenFile, AUTH_SECRET: 'vault://secret/token-file#auth' } },
      dir,
    );
    expect(config.authSecret).toBe(value);
  });
});

describe('refresh', () => {
  it('picks up a rotated value, notifies listeners, logs the variable and reference but never the value', async () => {
    const old = secret('before-rotation');
    vault.setSecret('secret', 'rotating', { auth: old });
    const oldKey = generateMasterKey();
    secretsSeen.add(oldKey);
    aws.setSecret('master', oldKey);
    const env = { ...vaultEnv(), ...awsEnv(), AUTH_SECRET: 'vault://secret/rotating#auth', MASTER_KEY: 'aws-sm://master' };
    const resolved = await resolveConfigReferences({ env }, dir);
    const config = loadConfig({ env }, dir, resolved);
    expect(config.secretRefreshSeconds).toBe(0);
    const refresher = startSecretRefresh({ set: config.secretReferences, intervalSeconds: 0, logger: captureLogger() });
    const changes: string[] = [];
    refresher.values.onChange('AUTH_SECRET', ({ name, value, previous }) => changes.push(`${name}:${value === previous ? 'same' : 'new'}`));
    const keys: string[] = [];
    onMasterKeysChange(
      refresher.values,
      ({ masterKey }) => keys.push(masterKey!.id),
      (problem) => keys.push(problem),
    );

    const linesBefore = logLines.length;
    await refresher.refreshNow();
    expect(changes).toEqual([]);

    const rotated = secret('after-rotation');
    vault.setSecret('secret', 'rotating', { auth: rotated });
    const newKey = generateMasterKey();
    secretsSeen.add(newKey);
    aws.setSecret('master', newKey);
    await refresher.refreshNow();
    expect(refresher.values.get('AUTH_SECRET')).toBe(rotated);
    expect(refresher.values.get('MASTER_KEY')).toBe(newKey);
    expect(changes).toEqual(['AUTH_SECRET:new']);
    expect(keys).toHaveLength(1);
    expect(keys[0]).not.toBe(config.masterKey!.id);

    const logged = logLines.slice(linesBefore).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged.filter((l) => l.msg === 'secret refreshed').map((l) => [l.variable, l.reference])).toEqual([
      ['AUTH_SECRET', 'vault://secret/rotating#auth'],
      ['MASTER_KEY', 'aws-sm://master'],
    ]);
    // Nothing in this process listens to AUTH_SECRET live: the operator is told to restart.
    refresher.stop();
  });

  it('keeps the current value when a refresh fails, and logs why without the value', async () => {
    const value = secret('kept');
    vault.setSecret('secret', 'kept', { auth: value });
    const env = { ...vaultEnv(), AUTH_SECRET: 'vault://secret/kept#auth' };
    const config = loadConfig({ env }, dir, await resolveConfigReferences({ env }, dir));
    const refresher = startSecretRefresh({ set: config.secretReferences, intervalSeconds: 0, logger: captureLogger() });
    const linesBefore = logLines.length;
    vault.revokeTokens();
    try {
      await refresher.refreshNow();
    } finally {
      vault.addToken(vaultToken);
    }
    expect(refresher.values.get('AUTH_SECRET')).toBe(value);
    const failure = logLines.slice(linesBefore).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(failure).toEqual([
      expect.objectContaining({
        msg: 'secret refresh failed; keeping the current value',
        variable: 'AUTH_SECRET',
        reference: 'vault://secret/kept#auth',
        reason: 'permission denied (HTTP 403)',
      }),
    ]);
    refresher.stop();
  });

  it('refreshes on the SECRETS_REFRESH_SECONDS interval', async () => {
    vault.setSecret('secret', 'interval', { auth: secret('interval-1') });
    const env = { ...vaultEnv(), AUTH_SECRET: 'vault://secret/interval#auth' };
    const config = loadConfig({ env }, dir, await resolveConfigReferences({ env }, dir));
    const refresher = startSecretRefresh({ set: config.secretReferences, intervalSeconds: 1, logger: captureLogger() });
    const next = secret('interval-2');
    vault.setSecret('secret', 'interval', { auth: next });
    const changed = new Promise<string>((resolve) => refresher.values.onChange('AUTH_SECRET', ({ value }) => resolve(value)));
    expect(await changed).toBe(next);
    refresher.stop();
  });

  it('a rotated DATABASE_URL password is used for new pool connections; another host needs a restart', async () => {
    const logger = captureLogger();
    // Records the password each new connection is made with (node-postgres builds one Client per connection).
    const passwords: string[] = [];
    class RecordingClient extends pg.Client {
      constructor(config?: string | pg.ClientConfig) {
        super(config);
        passwords.push(String((this as unknown as { password?: unknown }).password));
      }
    }
    const at = (password: string, host = '127.0.0.1:9') => `postgres://portcullis:${password}@${host}/portcullis?sslmode=disable`;
    const [p1, p2, p3] = [secret('db1'), secret('db2'), secret('db3')];
    const pool = new pg.Pool({ connectionString: at(p1), Client: RecordingClient, connectionTimeoutMillis: 2_000 });
    pool.on('error', () => undefined);
    const values = new SecretValues([['DATABASE_URL', at(p1)]]);
    followDatabaseUrl(pool, values, logger);
    const connect = () =>
      pool.connect().then(
        (c) => c.release(),
        () => undefined,
      ); // nothing listens on port 9: the attempt is enough
    await connect();
    values.set('DATABASE_URL', at(p2));
    await connect();
    expect(passwords).toEqual([p1, p2]);

    const linesBefore = logLines.length;
    values.set('DATABASE_URL', at(p3, 'other.internal:5432'));
    await connect();
    expect(passwords).toEqual([p1, p2, p2]);
    expect(JSON.parse(logLines[linesBefore]!)).toMatchObject({ level: 40, variable: 'DATABASE_URL' });
    await pool.end();
  });
});

describe('the portcullis CLI', () => {
  afterAll(async () => {
    await stopChildren({ all: true });
    removeTempDirs();
  });

  it('refuses to start when a reference cannot be resolved, naming it and nothing secret', async () => {
    const cliDir = makeTempDir();
    const result = await runCli(
      ['start', '--env-file', emptyEnvFile(cliDir)],
      cliEnv({ ...vaultEnv(), PORTCULLIS_DATA_DIR: join(cliDir, 'data'), AUTH_SECRET: 'vault://secret/not-there#auth' }),
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AUTH_SECRET: cannot resolve vault://secret/not-there#auth: not found (HTTP 404)');
    expect(result.stderr + result.stdout).not.toContain(vaultToken);
  });

  it(
    'starts with secrets from references and logs a refresh (name and reference, no value) on the interval',
    async () => {
      const cliDir = makeTempDir();
      const authSecret = secret('cli-auth');
      const masterKey = generateMasterKey();
      secretsSeen.add(masterKey);
      vault.setSecret('secret', 'cli', { auth: authSecret, master: masterKey });
      const server = await startServer(
        cliEnv({
          ...vaultEnv(),
          LOG_LEVEL: 'info',
          PORTCULLIS_DATA_DIR: join(cliDir, 'data'),
          SECRETS_REFRESH_SECONDS: '1',
          AUTH_SECRET: 'vault://secret/cli#auth',
          MASTER_KEY: 'vault://secret/cli#master',
        }),
        ['--env-file', emptyEnvFile(cliDir)],
      );
      vault.setSecret('secret', 'cli', { auth: secret('cli-auth-rotated'), master: masterKey });
      const deadline = Date.now() + 20_000;
      while (!/secret changed: restart/.test(server.stdout()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const lines = server
        .stdout()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      logLines.push(...server.stdout().split('\n').filter(Boolean), ...server.stderr().split('\n').filter(Boolean));
      expect(lines.find((l) => l.msg === 'secret refreshed')).toMatchObject({
        variable: 'AUTH_SECRET',
        reference: 'vault://secret/cli#auth',
      });
      expect(lines.find((l) => l.msg === 'secret changed: restart (or roll the deployment) to use the new value')).toMatchObject({
        variable: 'AUTH_SECRET',
      });
      expect(lines.some((l) => l.msg === 'secret refreshed' && l.variable === 'MASTER_KEY')).toBe(false);
    },
    START_TIMEOUT_MS + 30_000,
  );
});

describe('no secret value in any log line', () => {
  it('greps every captured line for every secret used above', () => {
    expect(logLines.length).toBeGreaterThan(0);
    for (const line of logLines) for (const value of secretsSeen) expect(line).not.toContain(value);
  });
});
