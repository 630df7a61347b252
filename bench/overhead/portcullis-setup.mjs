// A fresh PostgreSQL database with Portcullis migrated into it and one org with two projects that
// send to the fake upstream: `guarded` runs the default guardrail policy (PII, secrets, and
// prompt-injection detection in `log` mode), `unguarded` has every detector off. Both are served
// by one gateway process, so the only difference between the two targets is the guardrails.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runCli } from './processes.mjs';

/**
 * The bootstrap file has no guardrail section, so the policies are written the way the api's
 * `PUT …/projects/:projectId/guardrails` stores them: one override row per project (validated by
 * the gateway's own schema when it loads them). The guarded one states the defaults explicitly so
 * the benchmark keeps measuring them if the defaults change.
 */
const POLICIES = {
  guarded: { pii: { enabled: true }, secrets: { enabled: true, input: 'block' }, injection: { enabled: true, action: 'log' } },
  unguarded: { pii: { enabled: false }, secrets: { enabled: false }, injection: { enabled: false } },
};

export async function setUpPortcullis(upstreamUrl) {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `portcullis_bench_${Date.now()}`;
  const databaseUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  const tmp = mkdtempSync(join(tmpdir(), 'portcullis-bench-'));
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  const cleanUp = async () => {
    await admin.query(`drop database if exists ${dbName} with (force)`).catch(() => undefined);
    await admin.end();
    rmSync(tmp, { recursive: true, force: true });
  };

  try {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      DATABASE_URL: databaseUrl,
      AUTH_SECRET: randomBytes(48).toString('base64'),
      MASTER_KEY: randomBytes(32).toString('base64'),
      PORTCULLIS_DATA_DIR: join(tmp, 'data'),
      GATEWAY_PORT: '0',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      ALLOW_PRIVATE_PROVIDER_URLS: 'true',
      ...(process.env.BENCH_REDIS_URL ? { REDIS_URL: process.env.BENCH_REDIS_URL } : {}),
    };
    await runCli(['migrate'], env);
    const project = (name) =>
      `      - name: ${name}\n        providerKeys: [{ provider: openai, key: sk-bench-upstream-key-000000, baseUrl: ${upstreamUrl}/v1 }]\n        apiKeys: [{ name: bench }]\n`;
    const bootstrapFile = join(tmp, 'bootstrap.yaml');
    writeFileSync(bootstrapFile, `orgs:\n  - name: bench\n    projects:\n${Object.keys(POLICIES).map(project).join('')}`);
    const { apiKeys } = JSON.parse(await runCli(['bootstrap', bootstrapFile], env));

    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    for (const [name, config] of Object.entries(POLICIES)) {
      await db.query(
        `insert into guardrail_policies (org_id, project_id, config) select org_id, id, $2::jsonb from projects where name = $1`,
        [name, JSON.stringify(config)],
      );
    }
    await db.end();

    const keyOf = (name) => apiKeys.find((k) => k.project === name).key;
    return { env, databaseUrl, keys: { guarded: keyOf('guarded'), unguarded: keyOf('unguarded') }, cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Rows the gateway has written so far, per project: request logs and guardrail events by detector. */
export async function countRows(databaseUrl) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const logs = await db.query(
      `select p.name, count(*)::int as n from request_logs l join projects p on p.id = l.project_id group by p.name`,
    );
    const events = await db.query(
      `select p.name, e.detector, e.action, count(*)::int as n from guardrail_events e join projects p on p.id = e.project_id
       group by p.name, e.detector, e.action`,
    );
    return { logs: Object.fromEntries(logs.rows.map((r) => [r.name, r.n])), events: events.rows };
  } finally {
    await db.end();
  }
}
