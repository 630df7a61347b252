/**
 * The `portcullis` CLI refusing bad input: invalid configuration, production without secrets,
 * and --help. Real child processes (`node --import tsx src/cli.ts`), no server ever starts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, emptyEnvFile, makeTempDir, removeTempDirs, runCli, stopChildren } from './support/cli.js';

const TEST_TIMEOUT_MS = 90_000;

afterEach(() => stopChildren());
afterAll(async () => {
  await stopChildren({ all: true });
  removeTempDirs();
});

const output = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

describe('bad configuration fails at start with exit 2, naming the variable and never echoing a secret', () => {
  let root: string;
  let envFile: string;
  beforeAll(() => {
    root = makeTempDir();
    envFile = emptyEnvFile(root);
  });

  const cases: { name: string; env: Record<string, string>; names: string; secret?: string }[] = [
    { name: 'GATEWAY_PORT=abc', env: { GATEWAY_PORT: 'abc' }, names: 'GATEWAY_PORT' },
    { name: 'an unknown PORTCULLIS_COLOUR', env: { PORTCULLIS_COLOUR: 'blue' }, names: 'PORTCULLIS_COLOUR' },
    { name: 'TRUST_PROXY=*', env: { TRUST_PROXY: '*' }, names: 'TRUST_PROXY' },
    { name: 'a short AUTH_SECRET', env: { AUTH_SECRET: 'tooshort-Kq3v' }, names: 'AUTH_SECRET', secret: 'tooshort-Kq3v' },
    {
      name: 'a DATABASE_URL that is not PostgreSQL',
      env: { DATABASE_URL: 'mysql://admin:hunter2-Sup3rSecret@db.internal/portcullis' },
      names: 'DATABASE_URL',
      secret: 'hunter2-Sup3rSecret',
    },
    {
      name: 'a malformed MASTER_KEY',
      env: { MASTER_KEY: 'not-a-master-key-Pw93Lk0Zq' },
      names: 'MASTER_KEY',
      secret: 'not-a-master-key-Pw93Lk0Zq',
    },
    {
      name: 'a REDIS_URL that is not Redis',
      env: { REDIS_URL: 'http://default:redisPass-Xy72@cache.internal:6379' },
      names: 'REDIS_URL',
      secret: 'redisPass-Xy72',
    },
  ];

  it.each(cases)(
    '$name',
    async ({ env, names, secret }) => {
      const dataDir = join(root, `data-${names.toLowerCase()}`);
      const run = await runCli(['start', '--env-file', envFile], cliEnv({ PORTCULLIS_DATA_DIR: dataDir, ...env }));
      expect(run.code, output(run)).toBe(2);
      expect(run.stderr).toContain('Invalid configuration');
      expect(run.stderr).toContain(names);
      if (secret) expect(output(run)).not.toContain(secret);
      expect(output(run)).not.toContain('Portcullis ready');
      expect(existsSync(join(dataDir, 'secrets'))).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a typo in a variable name', () => {
  it(
    'stops the start (exit 2) with a suggestion, before the data dir is created; PATH, HOME, NODE_OPTIONS, REDIS_HOST pass',
    async () => {
      const root = makeTempDir();
      const dataDir = join(root, 'data');
      const run = await runCli(
        ['start', '--env-file', emptyEnvFile(root)],
        cliEnv({ PORTCULLIS_DATA_DIR: dataDir, AUTH_SECRETT: 'typo-value-Qm81', NODE_OPTIONS: '--no-warnings', REDIS_HOST: 'cache' }),
      );
      expect(run.code, output(run)).toBe(2);
      expect(run.stderr).toContain('AUTH_SECRETT is not a Portcullis variable; did you mean AUTH_SECRET?');
      // The only problem reported: the other programs' variables are left alone.
      expect(run.stderr.match(/^ {2}- /gm)).toHaveLength(1);
      expect(output(run)).not.toContain('typo-value-Qm81');
      expect(existsSync(dataDir)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('NODE_ENV=production', () => {
  it(
    'without AUTH_SECRET and MASTER_KEY refuses to start (exit 2), lists the failed checks, creates no secrets',
    async () => {
      const root = makeTempDir();
      const dataDir = join(root, 'data');
      const run = await runCli(
        ['start', '--env-file', emptyEnvFile(root)],
        cliEnv({ PORTCULLIS_DATA_DIR: dataDir, NODE_ENV: 'production', GATEWAY_PORT: '0', API_PORT: '0' }),
      );
      expect(run.code, output(run)).toBe(2);
      for (const check of ['AUTH_SECRET is set and strong', 'MASTER_KEY is set', 'Traffic is encrypted', 'PUBLIC_URL is https'])
        expect(run.stderr).toContain(check);
      expect(run.stderr).toContain('portcullis doctor');
      expect(output(run)).not.toContain('Portcullis ready');
      expect(existsSync(join(dataDir, 'secrets', 'auth-secret'))).toBe(false);
      expect(existsSync(join(dataDir, 'secrets', 'master-key'))).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});

const LISTEN_FLAGS = ['--host', '--gateway-port', '--api-port'];

describe('--help', () => {
  // Each command lists the listen flags of the services it runs, and no other.
  it.each([
    { command: 'start', listen: ['--host', '--gateway-port', '--api-port'] },
    { command: 'gateway', listen: ['--host', '--gateway-port'] },
    { command: 'api', listen: ['--host', '--api-port'] },
    { command: 'migrate', listen: [] },
    { command: 'bootstrap', listen: [] },
    { command: 'doctor', listen: [] },
  ])(
    '$command --help prints usage and its flags and exits 0 without touching the data dir',
    async ({ command, listen }) => {
      const root = makeTempDir();
      const dataDir = join(root, 'data');
      const run = await runCli([command, '--help'], cliEnv({ PORTCULLIS_DATA_DIR: dataDir }));
      expect(run.code, output(run)).toBe(0);
      expect(run.stdout).toContain(`Usage: portcullis ${command}`);
      expect(run.stdout).toContain('--data-dir');
      expect(run.stdout).toContain('--env-file');
      expect(LISTEN_FLAGS.filter((flag) => run.stdout.includes(`${flag} <value>`))).toEqual(listen);
      expect(existsSync(dataDir)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('a flag the command does not use is refused by name, before anything runs', () => {
  it.each([
    { args: ['gateway', '--api-port', '5'], flag: '--api-port' },
    { args: ['api', '--gateway-port', '5'], flag: '--gateway-port' },
    { args: ['migrate', '--host', '0.0.0.0'], flag: '--host' },
    { args: ['bootstrap', 'orgs.yaml', '--gateway-port', '4000'], flag: '--gateway-port' },
    { args: ['doctor', '--api-port', '4001'], flag: '--api-port' },
  ])(
    '$args.0 $flag',
    async ({ args, flag }) => {
      const root = makeTempDir();
      const dataDir = join(root, 'data');
      const run = await runCli([...args, '--env-file', emptyEnvFile(root)], cliEnv({ PORTCULLIS_DATA_DIR: dataDir }));
      expect(run.code, output(run)).toBe(1);
      expect(run.stderr).toContain(`error: unknown option '${flag}'`);
      expect(run.stderr).toContain(`Usage: portcullis ${args[0]!}`);
      expect(output(run)).not.toContain('Portcullis ready');
      expect(existsSync(dataDir)).toBe(false);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('DATABASE_URL that cannot be parsed', () => {
  it(
    'is a configuration error naming the variable, not an unexpected crash',
    async () => {
      const root = makeTempDir();
      const dataDir = join(root, 'data');
      const run = await runCli(
        ['start', '--env-file', emptyEnvFile(root)],
        cliEnv({ PORTCULLIS_DATA_DIR: dataDir, DATABASE_URL: 'postgres://admin:pw-Ux81@host:99999/db' }),
      );
      expect(run.code, output(run)).toBe(2);
      expect(run.stderr).toContain('DATABASE_URL');
      expect(output(run)).not.toContain('pw-Ux81');
    },
    TEST_TIMEOUT_MS,
  );
});
