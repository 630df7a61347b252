/**
 * Issue 11: `portcullis migrate-to-postgres` moves an embedded data dir into an empty PostgreSQL
 * database: every row (provider keys still decrypt, API keys still authenticate), the audit chains
 * verifiable, the secrets to carry over named by path and never printed. Needs a real PostgreSQL:
 * skipped without TEST_DATABASE_URL; the target is a database of its own, created here.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorVerifyAudit } from '../src/admin/audit-operations.js';
import { randomTokenBase64Url } from '../src/crypto/random.js';
import { openDatabase } from '../src/db/open.js';
import { queryRows } from '../src/db/rows.js';
import { createLogger } from '../src/logging/logger.js';
import { openRuntime, type Runtime } from '../src/server/runtime.js';
import { startServices, type RunningServices } from '../src/server/services.js';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/openai.js';
import { cliEnv, emptyEnvFile, makeTempDir, removeTempDirs, runCli, stopChildren } from './support/cli.js';
import { memoryLogDestination, testConfig } from './support/server.js';

const baseUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!baseUrl)('portcullis migrate-to-postgres', () => {
  const dir = makeTempDir('portcullis-migrate-pg-');
  const dataDir = join(dir, 'data');
  const envFile = emptyEnvFile(dir);
  const name = `portcullis_migrate_${randomBytes(6).toString('hex')}`;
  let targetUrl: string;
  let openai: FakeOpenAI;
  let apiKey: string;
  let services: RunningServices | undefined;
  let runtime: Runtime | undefined;
  // Generated into the data dir by the embedded server (no MASTER_KEY / AUTH_SECRET configured).
  const cli = (args: string[]) =>
    runCli([...args, '--env-file', envFile], cliEnv({ PORTCULLIS_DATA_DIR: dataDir, AUTH_SECRET: authSecret }), 180_000);
  const authSecret = randomTokenBase64Url(48);

  async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: baseUrl });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    openai = await startFakeOpenAI();
    await admin((c) => c.query(`create database ${name}`));
    const url = new URL(baseUrl!);
    url.pathname = `/${name}`;
    targetUrl = url.toString();
  });

  afterAll(async () => {
    await services?.stop();
    if (!services) await runtime?.close();
    await openai?.close();
    await admin((c) => c.query(`drop database if exists ${name} with (force)`));
    await stopChildren({ all: true });
    removeTempDirs();
  });

  it('copies every row; the API key and the provider key work on PostgreSQL; the audit chains verify', async () => {
    const seed = join(dir, 'seed.yaml');
    writeFileSync(
      seed,
      stringify({
        orgs: [
          {
            name: 'moving-org',
            members: [{ email: 'owner@moving.test', role: 'owner' }],
            providerKeys: [{ provider: 'openai', key: openai.apiKey, baseUrl: openai.baseUrl }],
            projects: [{ name: 'app', apiKeys: [{ name: 'app' }] }],
          },
        ],
      }),
    );
    const bootstrap = await cli(['bootstrap', seed]);
    expect(bootstrap.code, bootstrap.stderr).toBe(0);
    apiKey = (JSON.parse(bootstrap.stdout) as { apiKeys: { key: string }[] }).apiKeys[0]!.key;

    // The documented first step on PostgreSQL; a database whose only history is its migrations still counts as empty.
    const migrated = await runCli(
      ['migrate', '--env-file', envFile],
      cliEnv({ DATABASE_URL: targetUrl, AUTH_SECRET: authSecret }),
      180_000,
    );
    expect(migrated.code, migrated.stderr).toBe(0);

    const moved = await cli(['migrate-to-postgres', '--to', targetUrl]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toMatch(/row counts match the backup/);
    expect(moved.stderr).toMatch(/audit chain\(s\) verified/);
    const masterKeyFile = join(dataDir, 'secrets', 'master-key');
    expect(moved.stdout).toContain(`MASTER_KEY_FILE=${masterKeyFile}`);
    // The secret's path is printed, never its value.
    const masterKey = readFileSync(masterKeyFile, 'utf8').trim();
    expect(moved.stdout + moved.stderr).not.toContain(masterKey);
    expect(moved.stdout + moved.stderr).not.toContain(authSecret);

    const config = testConfig({ LOG_LEVEL: 'warn', DATABASE_URL: targetUrl, MASTER_KEY: masterKey, AUTH_SECRET: authSecret });
    const database = await openDatabase({ kind: 'postgres', url: targetUrl, poolMax: 4 });
    runtime = await openRuntime(config, createLogger({ level: 'warn', destination: memoryLogDestination([]) }), {
      migrations: 'require-current',
      database,
    });
    services = await startServices(runtime, ['gateway']);
    const response = await fetch(`${services.gateway!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'hello' }] }),
    });
    await response.arrayBuffer();
    expect(response.status).toBe(200);
    expect(openai.requests.at(-1)!.headers.authorization).toBe(`Bearer ${openai.apiKey}`);

    const verified = await operatorVerifyAudit({ owner: runtime.database.db, apiDb: runtime.apiDb, authSecret }, {});
    expect(verified.ok).toBe(true);
    const [orgs] = await queryRows<{ n: number }>(database.db, sql`select count(*)::int as n from organizations`);
    expect(orgs!.n).toBe(1);
  }, 400_000);

  it('refuses a target that already has data', async () => {
    const again = await cli(['migrate-to-postgres', '--to', targetUrl]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has data/);
  }, 200_000);
});
