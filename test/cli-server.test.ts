/**
 * The `portcullis` CLI as an operator meets it: real child processes (`node --import tsx
 * src/cli.ts`), real ports, a temp data dir each, a minimal environment. Server starts are few
 * and shared (PGlite's initdb makes each one cost seconds), so the tests of the first describe
 * run in order against the same servers.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authSecretWeakness } from '../src/config/secret-strength.js';
import { generateMasterKey, parseMasterKey } from '../src/crypto/envelope.js';
import { randomTokenBase64Url } from '../src/crypto/random.js';
import {
  cliEnv,
  deadPid,
  emptyEnvFile,
  getJson,
  makeTempDir,
  removeTempDirs,
  runCli,
  startServer,
  stopChildren,
  type ServerProcess,
} from './support/cli.js';

const TEST_TIMEOUT_MS = 90_000;
const readyTimes: string[] = [];

afterEach(() => stopChildren());
afterAll(async () => {
  await stopChildren({ all: true });
  removeTempDirs();
  if (readyTimes.length > 0) console.info(`portcullis ready times: ${readyTimes.join(', ')}`);
});

const modeOf = (path: string) => statSync(path).mode & 0o777;
const readText = (path: string) => readFileSync(path, 'utf8');
const lockPidOf = (dataDir: string) => (JSON.parse(readText(join(dataDir, 'portcullis.lock'))) as { pid: number }).pid;
const output = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

async function expectServing(server: ServerProcess): Promise<void> {
  for (const base of [server.gatewayUrl, server.apiUrl]) {
    for (const path of ['/healthz', '/readyz']) {
      const response = await getJson(base + path);
      expect(response.status, `${base}${path}`).toBe(200);
    }
  }
}

type DataDirFiles = { authSecret: string; masterKey: string };
function secretsOf(dataDir: string): DataDirFiles {
  return {
    authSecret: readText(join(dataDir, 'secrets', 'auth-secret')).trim(),
    masterKey: readText(join(dataDir, 'secrets', 'master-key')).trim(),
  };
}

const PROVIDER_KEY = 'sk-cli-test-provider-Zx81qPmW4tRb6vNy';

const BOOTSTRAP_YAML = `orgs:
  - name: Acme CLI
    plan: pro
    projects:
      - name: web
        providerKeys:
          - provider: openai
            key: ${PROVIDER_KEY}
        apiKeys:
          - name: ci
`;

const LEAKY_KEY = 'sk-cli-test-must-not-leak-Hq27LmXc9Vb';
const BOOTSTRAP_UNKNOWN_FIELD_YAML = `orgs:
  - name: Acme CLI
    projects:
      - name: web
        providerKeys:
          - provider: openai
            key: ${LEAKY_KEY}
            owner: platform-team
`;

describe('start on an empty data dir, and the commands that run beside the server', () => {
  let root: string;
  let envFile: string;
  /** Created by `start` itself (it does not exist beforehand), so its mode is the CLI's doing. */
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServerProcess;
  let firstSecrets: DataDirFiles;

  /** Another fresh data dir, holding only a stale lock (a dead pid on this host). */
  let staleDataDir: string;
  let stalePid: number;
  let staleServer: ServerProcess;

  let apiKey: string | undefined;

  beforeAll(async () => {
    root = makeTempDir();
    envFile = emptyEnvFile(root);
    dataDir = join(root, 'data');
    env = cliEnv({ PORTCULLIS_DATA_DIR: dataDir, SHUTDOWN_TIMEOUT_MS: '5000' });

    staleDataDir = join(root, 'stale-data');
    mkdirSync(staleDataDir, { mode: 0o700 });
    stalePid = await deadPid();
    writeFileSync(
      join(staleDataDir, 'portcullis.lock'),
      JSON.stringify({ pid: stalePid, hostname: hostname(), startedAt: new Date(0).toISOString(), adminUrl: 'http://127.0.0.1:9' }),
      { mode: 0o600 },
    );

    // Both first starts at once: each runs initdb, and they share nothing.
    [server, staleServer] = await Promise.all([
      startServer(env, ['--env-file', envFile], { keepAcrossTests: true }),
      startServer(cliEnv(), ['--data-dir', staleDataDir, '--env-file', envFile], { keepAcrossTests: true }),
    ]);
    readyTimes.push(`first start ${server.readyMs} ms`);
    firstSecrets = secretsOf(dataDir);
  }, 180_000);

  it(
    'first start: creates a private data dir with random secrets, prints a setup link, serves health probes, holds the lock',
    async () => {
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(dataDir, 'secrets'))).toBe(0o700);
      for (const file of ['auth-secret', 'master-key']) expect(modeOf(join(dataDir, 'secrets', file)), file).toBe(0o600);

      // Real secrets, not placeholders, and different in every data dir.
      expect(authSecretWeakness(firstSecrets.authSecret)).toBeUndefined();
      expect(() => parseMasterKey(firstSecrets.masterKey)).not.toThrow();
      const other = secretsOf(staleDataDir);
      expect(other.authSecret).not.toBe(firstSecrets.authSecret);
      expect(other.masterKey).not.toBe(firstSecrets.masterKey);
      expect(server.stdout()).toContain('generated development secrets');

      // The one-time setup link is printed for the person at the terminal, on the real api port, never logged.
      const link = /http:\/\/localhost:(\d+)\/setup#token=([A-Za-z0-9_-]+)/.exec(server.stderr());
      expect(link, server.stderr()).not.toBeNull();
      expect(link![1]).toBe(new URL(server.apiUrl).port);
      expect(link![2]!.length).toBeGreaterThanOrEqual(32);
      expect(server.stdout()).not.toContain(link![2]);

      await expectServing(server);
      expect(lockPidOf(dataDir)).toBe(server.pid);
      expect(existsSync(join(dataDir, 'admin.token'))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a stale lock (its pid is gone) does not block start',
    async () => {
      expect(staleServer.stderr()).not.toContain('in use by another');
      expect(lockPidOf(staleDataDir)).toBe(staleServer.pid);
      expect(staleServer.pid).not.toBe(stalePid);
      await expectServing(staleServer);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a second start on the same data dir exits non-zero, naming the data dir and the holder, and the first keeps serving',
    async () => {
      const second = await runCli(['start', '--env-file', envFile], { ...env, GATEWAY_PORT: '0', API_PORT: '0' });
      expect(second.code).not.toBeNull();
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain(dataDir);
      expect(second.stderr).toContain(`pid ${server.pid}`);
      expect(second.stderr).not.toContain('Portcullis ready');

      expect(server.done()).toBe(false);
      await expectServing(server);
      expect(lockPidOf(dataDir)).toBe(server.pid);
      expect(existsSync(join(dataDir, 'admin.token'))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'bootstrap goes through the running server; the printed key works at once, and a second run creates nothing',
    async () => {
      const file = join(root, 'bootstrap.yaml');
      writeFileSync(file, BOOTSTRAP_YAML);
      // --data-dir instead of the env variable: both reach the same configuration.
      const run = await runCli(['bootstrap', file, '--data-dir', dataDir, '--env-file', envFile], cliEnv());
      expect(run.code, output(run)).toBe(0);
      expect(run.stderr).not.toContain('in use by another');
      expect(output(run)).not.toContain(PROVIDER_KEY);

      // Exactly one line of JSON (the documented output), nothing else on stdout.
      expect(run.stdout.endsWith('\n')).toBe(true);
      expect(run.stdout.slice(0, -1)).not.toContain('\n');
      const printed = JSON.parse(run.stdout) as { apiKeys: { org: string; project: string; name: string; key: string }[] };
      expect(printed).toEqual({ apiKeys: [{ org: 'Acme CLI', project: 'web', name: 'ci', key: expect.any(String) as string }] });
      const key = printed.apiKeys[0]!.key;
      expect(key.length).toBeGreaterThanOrEqual(32);
      apiKey = key;

      const models = `${server.gatewayUrl}/v1/models`;
      const bearer = await getJson(models, { authorization: `Bearer ${key}` });
      // The project has an OpenAI key, so the list holds the catalog's OpenAI models.
      expect(bearer.status).toBe(200);
      const listed = bearer.body as { object: string; data: { id: string }[] };
      expect(listed.object).toBe('list');
      expect(listed.data.length).toBeGreaterThan(0);
      expect(listed.data.every((m) => m.id.startsWith('openai/'))).toBe(true);
      expect((await getJson(models, { 'x-api-key': key })).status).toBe(200);

      const wrongKey = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      const wrong = await getJson(models, { authorization: `Bearer ${wrongKey}` });
      expect(wrong.status).toBe(401);
      expect(wrong.body).toEqual({
        error: { message: expect.any(String) as string, type: 'authentication_error', code: 'invalid_api_key' },
      });
      expect((await getJson(models)).status).toBe(401);

      const again = await runCli(['bootstrap', file, '--env-file', envFile], env);
      expect(again.code, output(again)).toBe(0);
      expect(again.stdout).toBe('{"apiKeys":[]}\n');
      expect(server.done()).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'bootstrap rejects an unknown field with exit 2, names it, and never prints the provider key',
    async () => {
      const file = join(root, 'bootstrap-unknown-field.yaml');
      writeFileSync(file, BOOTSTRAP_UNKNOWN_FIELD_YAML);
      const run = await runCli(['bootstrap', file, '--env-file', envFile], env);
      expect(run.code, output(run)).toBe(2);
      expect(run.stderr).toContain('orgs[0].projects[0].providerKeys[0]');
      expect(run.stderr).toContain('unknown field "owner"');
      expect(output(run)).not.toContain(LEAKY_KEY);
      expect(run.stdout).not.toContain('apiKeys');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'migrate answers through the running server (opening the database itself would fail on the lock)',
    async () => {
      const run = await runCli(['migrate', '--env-file', envFile], env);
      expect(run.code, output(run)).toBe(0);
      expect(run.stdout).toContain('up to date');
      expect(run.stderr).not.toContain('in use by another');
      expect(lockPidOf(dataDir)).toBe(server.pid);
      await expectServing(server);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'audit verify answers through the running server: every chain whole; an unknown org is refused',
    async () => {
      const run = await runCli(['audit', 'verify', '--env-file', envFile], env);
      expect(run.code, output(run)).toBe(0);
      const report = JSON.parse(run.stdout) as { ok: boolean; chains: { chain: string; events: number; ok: boolean }[] };
      expect(report.ok).toBe(true);
      // Setup, migrations and the bootstrap above wrote events to the instance chain and the org's.
      expect(report.chains[0]).toMatchObject({ chain: 'instance', ok: true });
      expect(report.chains.length).toBeGreaterThanOrEqual(2);
      expect(run.stderr).toMatch(/audit chain\(s\) verified/);
      const unknown = await runCli(['audit', 'verify', '--org', 'no-such-org', '--env-file', envFile], env);
      expect(unknown.code).not.toBe(0);
      expect(output(unknown)).toContain('no organization named');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'doctor beside a running dev server: reports its pid and current migrations, fails on the generated secrets',
    async () => {
      const run = await runCli(['doctor', '--env-file', envFile], env);
      expect(run.code, output(run)).toBe(1);
      expect(run.stdout).toContain(`(a server is running on this data dir: pid ${server.pid})`);
      expect(run.stdout).toMatch(/FAIL {2}AUTH_SECRET/);
      expect(run.stdout).toMatch(/FAIL {2}MASTER_KEY/);
      expect(run.stdout).toMatch(/PASS {2}Database reachable and migrations current: up to date/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'SIGTERM exits 0 and cleans up; a restart reuses secrets and data; SIGINT behaves the same',
    async () => {
      expect(apiKey, 'needs the API key created by the bootstrap test').toBeDefined();
      server.child.kill('SIGTERM');
      // A drain that overran its budget would exit 1 (run-server's fallback timer).
      expect(await server.waitForExit()).toEqual({ code: 0, signal: null });
      expect(existsSync(join(dataDir, 'portcullis.lock'))).toBe(false);
      expect(existsSync(join(dataDir, 'admin.token'))).toBe(false);

      const restarted = await startServer(env, ['--env-file', envFile]);
      readyTimes.push(`restart ${restarted.readyMs} ms`);
      expect(secretsOf(dataDir)).toEqual(firstSecrets);
      expect(restarted.stdout()).not.toContain('generated development secrets');
      expect(lockPidOf(dataDir)).toBe(restarted.pid);
      await expectServing(restarted);
      const models = await getJson(`${restarted.gatewayUrl}/v1/models`, { authorization: `Bearer ${apiKey}` });
      expect(models.status).toBe(200);

      restarted.child.kill('SIGINT');
      expect(await restarted.waitForExit()).toEqual({ code: 0, signal: null });
      expect(existsSync(join(dataDir, 'portcullis.lock'))).toBe(false);
      expect(existsSync(join(dataDir, 'admin.token'))).toBe(false);
    },
    2 * TEST_TIMEOUT_MS, // two shutdowns and a start
  );

  it(
    'doctor on a stopped dev data dir: exit 1 with FAIL lines for the generated secrets',
    async () => {
      staleServer.child.kill('SIGTERM');
      expect(await staleServer.waitForExit()).toEqual({ code: 0, signal: null });
      const run = await runCli(['doctor', '--data-dir', staleDataDir, '--env-file', envFile], cliEnv());
      expect(run.code, output(run)).toBe(1);
      expect(run.stdout).toMatch(/FAIL {2}AUTH_SECRET/);
      expect(run.stdout).toMatch(/FAIL {2}MASTER_KEY/);
      expect(run.stdout).not.toContain('a server is running');
      // No server: doctor opened the embedded database itself.
      expect(run.stdout).toMatch(/PASS {2}Database reachable and migrations current: up to date/);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'doctor with a production-ready environment on the embedded data dir exits 0 (PostgreSQL and Redis only recommended)',
    async () => {
      const run = await runCli(
        ['doctor', '--env-file', envFile],
        cliEnv({
          PORTCULLIS_DATA_DIR: dataDir,
          NODE_ENV: 'production',
          AUTH_SECRET: randomTokenBase64Url(48),
          MASTER_KEY: generateMasterKey(),
          TRUST_PROXY: '1',
          PUBLIC_URL: 'https://portcullis.example.com',
        }),
      );
      expect(run.code, output(run)).toBe(0);
      expect(run.stdout).not.toContain('FAIL');
      expect(run.stdout).toMatch(/WARN {2}DATABASE_URL/);
      expect(run.stdout).toMatch(/WARN {2}REDIS_URL/);
      expect(run.stdout).toMatch(/PASS {2}Database reachable and migrations current: up to date/);
      expect(run.stdout).toContain('Ready for production');
    },
    TEST_TIMEOUT_MS,
  );
});
