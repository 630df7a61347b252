/**
 * A deployment of separate processes on real PostgreSQL and Redis, as production runs it: a fresh
 * throwaway database (created here, dropped by `dropDeployment`), `portcullis migrate` and
 * `portcullis bootstrap` as the operator runs them, then any number of `portcullis api` and
 * `portcullis gateway` processes sharing DATABASE_URL, REDIS_URL (under a Redis prefix of their
 * own, so tests running at the same time never see each other's counters or events), and the
 * master key and AUTH_SECRET (given as *_FILE, as a secret mount would). Children are tracked by
 * test/support/cli.ts: `stopChildren({ all: true })` ends them.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { stringify } from 'yaml';
import { generateMasterKey } from '../../src/crypto/envelope.js';
import { randomTokenBase64Url } from '../../src/crypto/random.js';
import { deleteKeys } from '../../src/limits/test-support.js';
import { cliEnv, emptyEnvFile, makeTempDir, runCli, spawnCli, type CliProcess } from './cli.js';

export type Deployment = {
  /** Unique per run: the database name and the Redis prefix carry it. */
  readonly runId: string;
  readonly redisUrl: string;
  readonly redisPrefix: string;
  /** The owner's (superuser's) URL of the fresh database: for counting rows from outside the services. */
  readonly databaseUrl: string;
  readonly databaseName: string;
  /** What every process of this deployment is started with. */
  readonly env: Record<string, string>;
  readonly envFile: string;
  readonly dir: string;
};

export type ServiceProcess = CliProcess & { url: string; readyMs: number };

async function asOwner(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** Creates the database and the shared configuration, then runs `portcullis migrate` against it. */
export async function createDeployment(adminUrl: string, redisUrl: string): Promise<Deployment> {
  const runId = randomBytes(5).toString('hex');
  const databaseName = `portcullis_replicas_${runId}`;
  await asOwner(adminUrl, `create database ${databaseName}`);
  const url = new URL(adminUrl);
  url.pathname = `/${databaseName}`;
  const dir = makeTempDir('portcullis-replicas-');
  const secretFile = (name: string, value: string) => {
    const path = join(dir, name);
    writeFileSync(path, value);
    chmodSync(path, 0o600);
    return path;
  };
  const redisPrefix = `pt-replicas-${runId}:`;
  const env = cliEnv({
    DATABASE_URL: url.toString(),
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    MASTER_KEY_FILE: secretFile('master-key', generateMasterKey()),
    AUTH_SECRET_FILE: secretFile('auth-secret', randomTokenBase64Url(48)),
    PORTCULLIS_DATA_DIR: join(dir, 'data'),
    GATEWAY_PORT: '0',
    API_PORT: '0',
    SHUTDOWN_TIMEOUT_MS: '5000',
  });
  const deployment: Deployment = {
    runId,
    redisUrl,
    redisPrefix,
    databaseUrl: url.toString(),
    databaseName,
    env,
    envFile: emptyEnvFile(dir),
    dir,
  };
  const migrate = await runCommand(deployment, ['migrate']).catch((error: unknown) => ({ code: null, stderr: String(error) }));
  if (migrate.code !== 0) {
    await dropDeployment(adminUrl, deployment);
    throw new Error(`portcullis migrate failed (${String(migrate.code)}):\n${migrate.stderr}`);
  }
  return deployment;
}

/** Drops the database (even while a straggling connection is open) and this deployment's Redis keys. */
export async function dropDeployment(adminUrl: string, deployment: Deployment): Promise<void> {
  await asOwner(adminUrl, `drop database if exists ${deployment.databaseName} with (force)`);
  const redis = new Redis(deployment.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await deleteKeys(redis, deployment.redisPrefix);
  } finally {
    redis.disconnect();
  }
}

/** A one-shot command (`migrate`, `bootstrap`, `tokens create`, …) with the deployment's configuration. */
export function runCommand(deployment: Deployment, args: string[]) {
  return runCli([...args, '--env-file', deployment.envFile], deployment.env);
}

/** `portcullis bootstrap` with this document (written as YAML); returns the command's JSON output. */
export async function bootstrapDeployment(deployment: Deployment, document: unknown): Promise<unknown> {
  const file = join(deployment.dir, 'bootstrap.yaml');
  writeFileSync(file, stringify(document));
  const run = await runCommand(deployment, ['bootstrap', file]);
  if (run.code !== 0) throw new Error(`portcullis bootstrap failed (${String(run.code)}):\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

const READY = {
  gateway: /Portcullis ready in (\d+) ms — gateway (http:\/\/\S+)/,
  api: /Portcullis ready in (\d+) ms — api and dashboard (http:\/\/\S+)/,
} as const;

/** `portcullis gateway` or `portcullis api` on an ephemeral port; resolves once it prints its ready line. */
export async function startService(deployment: Deployment, service: 'gateway' | 'api'): Promise<ServiceProcess> {
  const child = spawnCli([service, '--env-file', deployment.envFile], deployment.env, { keepAcrossTests: true });
  const match = await child.waitForStderr(READY[service]);
  return Object.assign(child, { readyMs: Number(match[1]), url: match[2]! });
}
