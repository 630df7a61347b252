/**
 * `portcullis doctor --json` as an operator runs it, on a database holding what the checklist is
 * about: an owner without a second factor, a member inactive for 200 days and an API key last used
 * 100 days ago. Embedded (a data dir doctor opens itself) or, with TEST_DATABASE_URL, a PostgreSQL
 * database of its own (dropped afterwards).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../src/crypto/envelope.js';
import { randomTokenBase64Url } from '../src/crypto/random.js';
import { runMigrations } from '../src/db/migrate.js';
import { openDatabase, type DatabaseHandle } from '../src/db/open.js';
import { cliEnv, emptyEnvFile, makeTempDir, removeTempDirs, runCli } from './support/cli.js';

const TEST_TIMEOUT_MS = 120_000;
const baseUrl = process.env.TEST_DATABASE_URL;

type Report = {
  checks: { id: string; status: 'pass' | 'warn' | 'fail'; message: string; fix: string }[];
  summary: { pass: number; warn: number; fail: number };
};

const authSecret = randomTokenBase64Url(48);
const masterKey = generateMasterKey();
let root: string;
let envFile: string;
let env: Record<string, string>;
let databaseName: string | undefined;

/** PostgreSQL with TEST_DATABASE_URL (a fresh database), else an embedded data dir; migrated either way. */
async function openSeedDatabase(): Promise<DatabaseHandle> {
  if (baseUrl) {
    const url = new URL(baseUrl);
    url.pathname = `/${databaseName!}`;
    return openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 1 });
  }
  return openDatabase({ kind: 'pglite', dataDir: join(root, 'data', 'pgdata') });
}

async function withSeedDatabase(fn: (handle: DatabaseHandle) => Promise<void>): Promise<void> {
  const handle = await openSeedDatabase();
  try {
    await fn(handle);
  } finally {
    await handle.close();
  }
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

const ids = { org: randomUUID(), project: randomUUID(), key: randomUUID(), owner: randomUUID(), stale: randomUUID() };
const daysAgo = (days: number) => sql`now() - make_interval(days => ${days})`;

/** As the owner (a superuser in tests): the rows the checklist reads, with faked timestamps. */
async function seed(handle: DatabaseHandle): Promise<void> {
  const db = handle.db;
  await db.execute(sql`insert into organizations (id, name) values (${ids.org}, 'Doctor Org')`);
  await db.execute(sql`insert into projects (id, org_id, name) values (${ids.project}, ${ids.org}, 'web')`);
  await db.execute(
    sql`insert into users (id, name, email) values (${ids.owner}, 'Olive Owner', 'owner@doctor.test'), (${ids.stale}, 'Stan Stale', 'stale@doctor.test')`,
  );
  // The owner joined today (active); the viewer joined 200 days ago and never came back.
  await db.execute(sql`insert into members (org_id, user_id, role) values (${ids.org}, ${ids.owner}, 'owner')`);
  await db.execute(
    sql`insert into members (org_id, user_id, role, created_at) values (${ids.org}, ${ids.stale}, 'viewer', ${daysAgo(200)})`,
  );
  // Created 200 days ago, last used (per the request logs) 100 days ago.
  await db.execute(
    sql`insert into api_keys (id, org_id, project_id, name, kind, lookup_id, secret_hash, last4, created_at)
        values (${ids.key}, ${ids.org}, ${ids.project}, 'old-ci', 'live', ${randomUUID()}, 'not-a-real-hash', 'abcd', ${daysAgo(200)})`,
  );
  await db.execute(
    sql`insert into request_logs (org_id, project_id, api_key_id, request_id, endpoint, status, created_at)
        values (${ids.org}, ${ids.project}, ${ids.key}, 'req-doctor', '/v1/chat/completions', 200, ${daysAgo(100)})`,
  );
}

beforeAll(async () => {
  root = makeTempDir('portcullis-doctor-');
  envFile = emptyEnvFile(root);
  env = cliEnv({
    PORTCULLIS_DATA_DIR: join(root, 'data'),
    NODE_ENV: 'production',
    AUTH_SECRET: authSecret,
    MASTER_KEY: masterKey,
    TRUST_PROXY: '1',
    PUBLIC_URL: 'https://portcullis.example.com',
  });
  if (baseUrl) {
    databaseName = `pc_doctor_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    await adminQuery(`create database ${databaseName}`);
    const url = new URL(baseUrl);
    url.pathname = `/${databaseName}`;
    env.DATABASE_URL = url.toString();
  }
  await withSeedDatabase(async (handle) => {
    await runMigrations(handle);
    await seed(handle);
  });
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  removeTempDirs();
  if (databaseName) await adminQuery(`drop database if exists ${databaseName} with (force)`);
});

async function doctor(): Promise<{ code: number | null; report: Report; stdout: string }> {
  const run = await runCli(['doctor', '--json', '--env-file', envFile], env);
  let report: Report;
  try {
    report = JSON.parse(run.stdout) as Report;
  } catch {
    throw new Error(`doctor --json printed no JSON:\n${run.stdout}\n${run.stderr}`);
  }
  return { code: run.code, report, stdout: run.stdout };
}

const byId = (report: Report, id: string) => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id} in ${report.checks.map((c) => c.id).join(', ')}`);
  return found;
};

describe('portcullis doctor --json', () => {
  it(
    'flags the owner without 2FA (fail), the stale key and the inactive member (warn), and exits 1',
    async () => {
      const { code, report, stdout } = await doctor();
      expect(code, stdout).toBe(1);
      for (const check of report.checks) {
        expect(Object.keys(check).sort()).toEqual(['fix', 'id', 'message', 'status']);
        expect(check.message).not.toContain('\n');
        expect(check.fix).not.toContain('\n');
      }
      const counted = { pass: 0, warn: 0, fail: 0 };
      for (const check of report.checks) counted[check.status] += 1;
      expect(report.summary).toEqual(counted);

      expect(byId(report, 'database-reachable')).toMatchObject({ status: 'pass' });
      expect(new Set(report.checks.map((c) => c.id)).size).toBe(report.checks.length);
      expect(byId(report, 'admins-2fa')).toMatchObject({ status: 'fail', message: expect.stringContaining('owner@doctor.test') as string });
      expect(byId(report, 'admins-2fa').message).not.toContain('stale@doctor.test'); // a viewer is not an admin
      expect(byId(report, 'api-keys-unused')).toMatchObject({
        status: 'warn',
        message: expect.stringContaining('Doctor Org/web/old-ci') as string,
      });
      const inactive = byId(report, 'members-inactive');
      expect(inactive).toMatchObject({ status: 'warn', message: expect.stringContaining('stale@doctor.test') as string });
      expect(inactive.message).not.toContain('owner@doctor.test');
      expect(byId(report, 'rate-limits')).toMatchObject({ status: 'warn', message: expect.stringContaining('Doctor Org') as string });
      expect(byId(report, 'guardrails')).toMatchObject({ status: 'pass' });
      expect(byId(report, 'database-ssl')).toMatchObject({
        status: 'pass',
        message: expect.stringMatching(baseUrl ? /loopback|ssl/i : /embedded: not applicable/) as string,
      });
      // CI logs in as the superuser owner: what must not bypass RLS are the roles tenant queries switch to.
      expect(byId(report, 'rls-roles')).toMatchObject({
        status: 'pass',
        message: expect.stringMatching(baseUrl ? /portcullis_api, portcullis_gateway, portcullis_definer/ : /not applicable/) as string,
      });
      expect(byId(report, 'rls-tables')).toMatchObject({ status: 'pass' });
      expect(byId(report, 'secrets-command-line')).toMatchObject({ status: 'pass' });
      expect(byId(report, 'audit-logging')).toMatchObject({ status: 'warn' });
      expect(byId(report, 'metrics-exposure')).toMatchObject({
        status: 'pass',
        message: expect.stringContaining('not served') as string,
      });
      expect(stdout).not.toContain(authSecret);
      expect(stdout).not.toContain(masterKey);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'exits 0 once the owner has a second factor: what remains are warnings',
    async () => {
      await withSeedDatabase(async (handle) => {
        await handle.db.execute(sql`update users set two_factor_enabled = true where id = ${ids.owner}`);
      });
      const { code, report, stdout } = await doctor();
      expect(code, stdout).toBe(0);
      expect(byId(report, 'admins-2fa').status).toBe('pass');
      expect(report.summary.fail).toBe(0);
      expect(report.summary.warn).toBeGreaterThanOrEqual(3);
    },
    TEST_TIMEOUT_MS,
  );
});
