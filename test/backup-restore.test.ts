/**
 * Issue 11: `portcullis backup` / `restore`. Real data seeded through the product (bootstrap: an
 * org, project, encrypted provider key, API key; an admin token; a gateway request that reaches a
 * fake provider and leaves a request log; the audit events of all that), backed up while the
 * server runs, restored into a fresh database, and served again: the API key still authenticates,
 * the provider key still decrypts, the audit chains verify, every table has its rows. Then the
 * refusals, each leaving the target empty. The last describe runs the real CLI on embedded data dirs.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { operatorVerifyAudit } from '../src/admin/audit-operations.js';
import { systemActor } from '../src/audit/context.js';
import { backupDatabase, restoreBackupFile } from '../src/backup/backup.js';
import { readBackupRecords, writeBackupFile } from '../src/backup/backup-file.js';
import type { LoadOptions } from '../src/backup/load.js';
import { applyBootstrap } from '../src/bootstrap/apply.js';
import { parseBootstrapText } from '../src/bootstrap/document.js';
import { ConfigError } from '../src/config/config-error.js';
import { loadConfig } from '../src/config/load.js';
import { generateMasterKey, parseMasterKey } from '../src/crypto/envelope.js';
import { createMasterKeyring } from '../src/crypto/master-keyring.js';
import { randomTokenBase64Url } from '../src/crypto/random.js';
import { openDatabase, type DatabaseHandle } from '../src/db/open.js';
import { queryRows } from '../src/db/rows.js';
import { createLogger } from '../src/logging/logger.js';
import { openRuntime } from '../src/server/runtime.js';
import { startServices, type RunningServices } from '../src/server/services.js';
import { startFakeOpenAI, type FakeOpenAI } from './fakes/openai.js';
import { eventually, mintToken, operatorCtx } from './support/api.js';
import { cliEnv, emptyEnvFile, makeTempDir, removeTempDirs, runCli, startServer, stopChildren, stopProcess } from './support/cli.js';
import { uniqueName } from './support/database.js';
import { memoryLogDestination, startTestServer, testConfig, type TestServer } from './support/server.js';

const backupKey = randomBytes(32);
const backupKeyText = backupKey.toString('base64');
const dir = makeTempDir('portcullis-backup-');

let openai: FakeOpenAI;
let source: TestServer;
let apiKey: string;
let orgName: string;
let backupFile: string;
let sourceCounts: Record<string, number>;
const extraDatabases: string[] = [];

/** A database with nothing in it: a fresh PostgreSQL database (not even migrated), or the migrated PGlite snapshot. */
async function freshDatabase(): Promise<DatabaseHandle> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return openDatabase({ kind: 'pglite', snapshot: new Blob([readFileSync(inject('pgliteSnapshotPath'))]) });
  const name = `portcullis_restore_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  extraDatabases.push(name);
  const target = new URL(url);
  target.pathname = `/${name}`;
  return openDatabase({ kind: 'postgres', url: target.toString(), poolMax: 3 });
}

function loadOptions(overrides: Partial<LoadOptions> = {}): LoadOptions {
  return {
    force: false,
    keyring: source.runtime.keyring,
    authSecret: source.runtime.secrets.authSecret,
    actor: systemActor('cli', 'test-host'),
    origin: 'test',
    ...overrides,
  };
}

async function count(handle: DatabaseHandle, table: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(handle.db, sql.raw(`select count(*)::int as n from "${table}"`));
  return row!.n;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error('expected the operation to be refused, but it succeeded');
  return outcome;
}

beforeAll(async () => {
  openai = await startFakeOpenAI();
  source = await startTestServer({ isolatedDatabase: true, env: { LOG_LEVEL: 'warn' } });
  orgName = uniqueName('backup');
  const document = {
    orgs: [
      {
        name: orgName,
        members: [{ email: `owner@${orgName}.test`, role: 'owner' }],
        providerKeys: [{ provider: 'openai', key: openai.apiKey, baseUrl: openai.baseUrl }],
        projects: [{ name: 'app', apiKeys: [{ name: 'app' }] }],
      },
    ],
  };
  const seeded = await applyBootstrap(parseBootstrapText(stringify(document), 'seed.yaml'), {
    db: source.runtime.apiDb,
    keyring: source.runtime.keyring,
    ctx: operatorCtx,
  });
  apiKey = seeded.apiKeys[0]!.key;
  const org = { orgId: seeded.changes[0]!.orgId, orgName, projectId: '', testProjectId: '', memberId: '' };
  await mintToken(source, org, 'admin');
  expect(await chat(source.gatewayUrl)).toBe(200);
  await eventually(async () => ((await count(source.runtime.database, 'request_logs')) > 0 ? true : undefined), 10_000);

  // While the server runs: the point of the snapshot.
  backupFile = join(dir, 'portcullis.backup');
  sourceCounts = await backupDatabase(source.runtime.database, backupFile, backupKey);
}, 120_000);

afterAll(async () => {
  await source?.stop();
  await openai?.close();
  const url = process.env.TEST_DATABASE_URL;
  if (url && extraDatabases.length > 0) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (const name of extraDatabases) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
  await stopChildren({ all: true });
  removeTempDirs();
});

async function chat(gatewayUrl: string): Promise<number> {
  const response = await fetch(`${gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'openai/gpt-5.4-mini', messages: [{ role: 'user', content: 'hello' }] }),
  });
  await response.arrayBuffer();
  return response.status;
}

describe('backup file', () => {
  it('is written with mode 0600 and holds no plaintext of the rows', () => {
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    const bytes = readFileSync(backupFile);
    expect(bytes.includes(Buffer.from(orgName))).toBe(false);
    expect(bytes.includes(Buffer.from('owner@'))).toBe(false);
    expect(sourceCounts.organizations).toBeGreaterThanOrEqual(1);
    expect(sourceCounts.request_logs).toBeGreaterThanOrEqual(1);
    expect(sourceCounts.provider_keys).toBeGreaterThanOrEqual(1);
    expect(sourceCounts.audit_events).toBeGreaterThanOrEqual(3);
    // Partitions, if request_logs is partitioned, are read through the parent and never listed.
    expect(Object.keys(sourceCounts).filter((t) => t.startsWith('request_logs_'))).toEqual([]);
  });
});

describe('restore refusals (the target stays empty)', () => {
  let target: DatabaseHandle;
  beforeAll(async () => {
    target = await freshDatabase();
  }, 60_000);
  afterAll(async () => {
    await target?.close();
  });

  async function expectEmpty(): Promise<void> {
    const [row] = await queryRows<{ present: boolean }>(target.db, sql`select to_regclass('public.organizations') is not null as present`);
    if (row!.present) expect(await count(target, 'organizations')).toBe(0);
  }

  it('refuses another BACKUP_ENCRYPTION_KEY', async () => {
    const error = await rejection(restoreBackupFile(target, backupFile, randomBytes(32), loadOptions()));
    expect(error.message).toMatch(/different BACKUP_ENCRYPTION_KEY/);
    await expectEmpty();
  });

  it('refuses a file with one flipped byte, writing nothing', async () => {
    const bytes = readFileSync(backupFile);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    const damaged = join(dir, 'flipped.backup');
    writeFileSync(damaged, bytes);
    const error = await rejection(restoreBackupFile(target, damaged, backupKey, loadOptions()));
    expect(error.message).toMatch(/failed authentication .* nothing was restored/);
    await expectEmpty();
  });

  it('refuses a truncated file', async () => {
    const bytes = readFileSync(backupFile);
    const cut = join(dir, 'truncated.backup');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 40));
    expect((await rejection(restoreBackupFile(target, cut, backupKey, loadOptions()))).message).toMatch(/truncated/);
    // Cut exactly at a record boundary: every remaining tag is valid, but no record is the final one.
    const firstRecordEnd = 41 + 16 + bytes.readUInt32BE(41);
    writeFileSync(cut, bytes.subarray(0, firstRecordEnd));
    expect((await rejection(restoreBackupFile(target, cut, backupKey, loadOptions()))).message).toMatch(/truncated/);
    await expectEmpty();
  });

  it('refuses a backup from a newer schema than this build knows', async () => {
    const records: Buffer[] = [];
    for await (const record of readBackupRecords(backupFile, backupKey)) records.push(record);
    const manifest = JSON.parse(records[0]!.toString('utf8')) as { migrations: number[] };
    manifest.migrations.push(Math.max(...manifest.migrations) + 1000);
    records[0] = Buffer.from(JSON.stringify(manifest));
    const newer = join(dir, 'newer.backup');
    await writeBackupFile(newer, backupKey, records);
    const error = await rejection(restoreBackupFile(target, newer, backupKey, loadOptions()));
    expect(error.message).toMatch(/newer schema than this Portcullis knows/);
    await expectEmpty();
  });

  it('refuses when the configured master key cannot open the data keys, before committing', async () => {
    const otherKeyring = createMasterKeyring(parseMasterKey(generateMasterKey()));
    const error = await rejection(restoreBackupFile(target, backupFile, backupKey, loadOptions({ keyring: otherKeyring })));
    expect(error.message).toMatch(/master key cannot open the backup's data keys/);
    await expectEmpty();
  });
});

describe('restore into a fresh database', () => {
  let target: DatabaseHandle;
  let services: RunningServices | undefined;

  beforeAll(async () => {
    target = await freshDatabase();
  }, 60_000);
  afterAll(async () => {
    if (services) await services.stop();
    else await target?.close();
  });

  it('brings back every row: the API key authenticates, the provider key decrypts, the audit chains verify', async () => {
    const result = await restoreBackupFile(target, backupFile, backupKey, loadOptions());
    expect(result.rowCounts).toEqual(sourceCounts);
    for (const [table, rows] of Object.entries(sourceCounts)) {
      // The restore itself is one more instance audit event.
      expect(await count(target, table), table).toBe(table === 'audit_events' ? rows + 1 : rows);
    }
    const [restoredEvent] = await queryRows<{ action: string }>(
      target.db,
      sql`select action from audit_events where org_id is null order by seq desc limit 1`,
    );
    expect(restoredEvent!.action).toBe('instance.backup_restored');

    const config = testConfig({
      LOG_LEVEL: 'warn',
      MASTER_KEY: source.runtime.secrets.masterKey!.key.toString('base64'),
      AUTH_SECRET: source.runtime.secrets.authSecret,
    });
    const runtime = await openRuntime(config, createLogger({ level: 'warn', destination: memoryLogDestination([]) }), {
      migrations: 'require-current',
      database: target,
    });
    services = await startServices(runtime, ['gateway']);
    const before = openai.requests.length;
    expect(await chat(services.gateway!.url)).toBe(200);
    // The request reached the provider with the decrypted provider key.
    expect(openai.requests.length).toBe(before + 1);
    expect(openai.requests.at(-1)!.headers.authorization).toBe(`Bearer ${openai.apiKey}`);

    const verified = await operatorVerifyAudit(
      { owner: runtime.database.db, apiDb: runtime.apiDb, authSecret: runtime.secrets.authSecret },
      {},
    );
    expect(verified.ok).toBe(true);
    expect(verified.chains.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses to restore over a database that has rows, unless --force (which replaces them)', async () => {
    const error = await rejection(restoreBackupFile(target, backupFile, backupKey, loadOptions()));
    expect(error.message).toMatch(/already has data .* --force/);
    const forced = await restoreBackupFile(target, backupFile, backupKey, loadOptions({ force: true }));
    expect(forced.rowCounts).toEqual(sourceCounts);
    expect(await count(target, 'organizations')).toBe(sourceCounts.organizations);
  });
});

describe('BACKUP_ENCRYPTION_KEY', () => {
  const base = { PORTCULLIS_DATA_DIR: dir };
  it('is refused when short or weak, naming the variable and never the value', () => {
    for (const value of ['c2hvcnQ=', 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=', 'ab'.repeat(32)]) {
      let failure: unknown;
      try {
        loadConfig({ env: { ...base, BACKUP_ENCRYPTION_KEY: value } });
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as Error).message).toContain('BACKUP_ENCRYPTION_KEY');
      expect((failure as Error).message).not.toContain(value);
    }
  });

  it('is refused when equal to MASTER_KEY, accepted when random', () => {
    const key = generateMasterKey();
    expect(() => loadConfig({ env: { ...base, MASTER_KEY: key, BACKUP_ENCRYPTION_KEY: key } })).toThrow(/must differ from MASTER_KEY/);
    expect(loadConfig({ env: { ...base, BACKUP_ENCRYPTION_KEY: backupKeyText } }).backupEncryptionKey).toEqual(backupKey);
  });
});

describe('the CLI on embedded data dirs', () => {
  const secrets = { MASTER_KEY: generateMasterKey(), AUTH_SECRET: randomTokenBase64Url(48), BACKUP_ENCRYPTION_KEY: backupKeyText };
  const sourceDir = join(dir, 'source');
  const targetDir = join(dir, 'target');
  const envFile = emptyEnvFile(dir);
  const cli = (args: string[], env: Record<string, string>) => runCli([...args, '--env-file', envFile], cliEnv(env), 120_000);

  it('refuses to back up or restore without BACKUP_ENCRYPTION_KEY (and writes no file)', async () => {
    const out = join(dir, 'never.backup');
    const result = await cli(['backup', '--out', out], { PORTCULLIS_DATA_DIR: sourceDir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/BACKUP_ENCRYPTION_KEY is not set/);
    expect(() => statSync(out)).toThrow();
    const restore = await cli(['restore', '--in', backupFile], { PORTCULLIS_DATA_DIR: targetDir });
    expect(restore.code).toBe(2);
  });

  it('backs up one data dir and restores it into another; `audit verify` passes there', async () => {
    const seed = join(dir, 'cli-seed.yaml');
    writeFileSync(seed, stringify({ orgs: [{ name: 'cli-org', projects: [{ name: 'app', apiKeys: [{ name: 'k' }] }] }] }));
    const bootstrap = await cli(['bootstrap', seed], { ...secrets, PORTCULLIS_DATA_DIR: sourceDir });
    expect(bootstrap.code, bootstrap.stderr).toBe(0);

    const out = join(dir, 'cli.backup');
    const backup = await cli(['backup', '--out', out], { ...secrets, PORTCULLIS_DATA_DIR: sourceDir });
    expect(backup.code, backup.stderr).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o600);

    const restore = await cli(['restore', '--in', out], { ...secrets, PORTCULLIS_DATA_DIR: targetDir });
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toMatch(/row counts match the backup/);

    const verify = await cli(['audit', 'verify'], { ...secrets, PORTCULLIS_DATA_DIR: targetDir });
    expect(verify.code, verify.stderr).toBe(0);
    expect((JSON.parse(verify.stdout) as { ok: boolean }).ok).toBe(true);

    const again = await cli(['restore', '--in', out], { ...secrets, PORTCULLIS_DATA_DIR: targetDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has data/);
  }, 300_000);

  it('refuses to back up an embedded data dir while a server holds it, saying to stop the server', async () => {
    const server = await startServer(cliEnv({ ...secrets, PORTCULLIS_DATA_DIR: targetDir }), ['--env-file', envFile]);
    try {
      const out = join(dir, 'while-running.backup');
      const result = await cli(['backup', '--out', out], { ...secrets, PORTCULLIS_DATA_DIR: targetDir });
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`server \\(pid ${server.pid}\\) holds the data dir .* Stop it before taking a backup`));
      expect(() => statSync(out)).toThrow();
    } finally {
      await stopProcess(server);
    }
  }, 300_000);
});
