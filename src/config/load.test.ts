import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateMasterKey, masterKeyId } from '../crypto/master-key.js';
import { REDACTED } from '../logging/redacted.js';
import { scrubSecrets } from '../logging/secret-registry.js';
import { ConfigError } from './config-error.js';
import { loadConfig, type Config } from './load.js';
import type { ConfigSources } from './sources.js';
import { VARIABLE_NAMES } from './variables.js';

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'portcullis-load-test-'));
});

afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

function load(env: Record<string, string>, sources: Partial<ConfigSources> = {}): Config {
  return loadConfig({ env, ...sources }, cwd);
}

/** The ConfigError that loading throws (fails the test if loading succeeds or throws something else). */
function configError(env: Record<string, string>, sources: Partial<ConfigSources> = {}): ConfigError {
  try {
    load(env, sources);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

function problemsOf(env: Record<string, string>, sources: Partial<ConfigSources> = {}): string[] {
  return configError(env, sources).problems;
}

function writeTlsFiles(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  writeFileSync(cert, '-----BEGIN CERTIFICATE-----\n');
  writeFileSync(key, '-----BEGIN PRIVATE KEY-----\n', { mode: 0o600 });
  return { cert, key };
}

describe('loadConfig: defaults', () => {
  it('applies the documented defaults when nothing is set', () => {
    const config = load({});
    expect(config).toMatchObject({
      nodeEnv: 'development',
      production: false,
      dataDir: resolve(cwd, '.portcullis'),
      databaseUrl: undefined,
      databasePoolMax: 10,
      redisUrl: undefined,
      host: '127.0.0.1',
      gatewayPort: 4000,
      apiPort: 4001,
      publicUrl: 'http://localhost:4001',
      authSecret: undefined,
      masterKey: undefined,
      corsOrigins: [],
      trustProxy: { kind: 'none' },
      tls: undefined,
      logLevel: 'info',
      gatewayMaxBodyBytes: 10 * 1024 * 1024,
      gatewayMaxInFlight: 1_000,
      guardrailScanWorkers: 2,
      apiMaxBodyBytes: 1024 * 1024,
      shutdownTimeoutMs: 10_000,
    });
    for (const name of VARIABLE_NAMES) expect(config.origins[name]).toBe('default');
  });

  it('resolves a relative data dir against the cwd argument, not the process cwd', () => {
    expect(load({ PORTCULLIS_DATA_DIR: 'data/here' }).dataDir).toBe(join(cwd, 'data', 'here'));
    expect(load({ PORTCULLIS_DATA_DIR: '/srv/portcullis' }).dataDir).toBe('/srv/portcullis');
  });

  it('derives the default PUBLIC_URL from API_PORT', () => {
    expect(load({ API_PORT: '5050' }).publicUrl).toBe('http://localhost:5050');
  });

  it('uses https:// in the default PUBLIC_URL when TLS is configured, and resolves the TLS paths against cwd', () => {
    writeTlsFiles(cwd);
    // Relative paths: they must be looked up in `cwd`, which is not the process working directory.
    expect(resolve('cert.pem')).not.toBe(join(cwd, 'cert.pem'));
    const config = load({ TLS_CERT_FILE: 'cert.pem', TLS_KEY_FILE: 'key.pem' });
    expect(config.tls).toEqual({ certFile: join(cwd, 'cert.pem'), keyFile: join(cwd, 'key.pem') });
    expect(config.publicUrl).toBe('https://localhost:4001');
  });

  it('takes GATEWAY_INTERNAL_URL for server-side calls to a separately deployed gateway, and refuses what is not http(s)', () => {
    expect(load({}).gatewayInternalUrl).toBeUndefined();
    expect(load({ GATEWAY_INTERNAL_URL: 'http://portcullis-gateway:4000/' }).gatewayInternalUrl).toBe('http://portcullis-gateway:4000');
    expect(problemsOf({ GATEWAY_INTERNAL_URL: 'file:///etc/passwd' })).toEqual(['GATEWAY_INTERNAL_URL: expected an absolute http(s) URL']);
  });

  it('keeps an explicit PUBLIC_URL, without trailing slashes', () => {
    expect(load({ PUBLIC_URL: 'https://gateway.example.com/' }).publicUrl).toBe('https://gateway.example.com');
    expect(load({ PUBLIC_URL: 'https://example.com/portcullis//' }).publicUrl).toBe('https://example.com/portcullis');
  });

  it('parses every variable into its typed field and records where it came from', () => {
    const masterKey = generateMasterKey();
    const authSecret = randomBytes(48).toString('base64');
    const config = load({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://portcullis:pw@db:5432/portcullis',
      DATABASE_POOL_MAX: '25',
      REDIS_URL: 'rediss://cache:6380',
      HOST: '0.0.0.0',
      GATEWAY_PORT: '8080',
      API_PORT: '8081',
      AUTH_SECRET: authSecret,
      MASTER_KEY: masterKey,
      CORS_ORIGINS: 'https://app.example.com, http://localhost:3000/',
      TRUST_PROXY: '2',
      LOG_LEVEL: 'warn',
      GATEWAY_MAX_BODY_BYTES: '2048',
      API_MAX_BODY_BYTES: '1024',
      SHUTDOWN_TIMEOUT_MS: '500',
    });
    expect(config).toMatchObject({
      nodeEnv: 'production',
      production: true,
      databaseUrl: 'postgres://portcullis:pw@db:5432/portcullis',
      databasePoolMax: 25,
      redisUrl: 'rediss://cache:6380',
      host: '0.0.0.0',
      gatewayPort: 8080,
      apiPort: 8081,
      publicUrl: 'http://localhost:8081',
      authSecret,
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      trustProxy: { kind: 'hops', hops: 2 },
      logLevel: 'warn',
      gatewayMaxBodyBytes: 2048,
      apiMaxBodyBytes: 1024,
      shutdownTimeoutMs: 500,
    });
    expect(config.masterKey?.key).toEqual(Buffer.from(masterKey, 'base64'));
    expect(config.masterKey?.id).toBe(masterKeyId(Buffer.from(masterKey, 'base64')));
    expect(config.origins.AUTH_SECRET).toBe('env');
    expect(config.origins.PUBLIC_URL).toBe('default');
  });

  it('accepts CORS_ORIGINS=* (refused later, by the production checks) and CIDR lists for TRUST_PROXY', () => {
    expect(load({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    expect(load({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy.kind).toBe('cidrs');
    expect(load({ TRUST_PROXY: 'none' }).trustProxy).toEqual({ kind: 'none' });
  });

  it('allows port 0 (any free port) for both services, and tolerates whitespace around numbers', () => {
    expect(load({ GATEWAY_PORT: '0', API_PORT: '0' })).toMatchObject({ gatewayPort: 0, apiPort: 0 });
    expect(load({ GATEWAY_PORT: ' 8080 ', DATABASE_POOL_MAX: '5\n' })).toMatchObject({ gatewayPort: 8080, databasePoolMax: 5 });
  });

  it('takes a flag over the environment', () => {
    const config = loadConfig({ flags: { GATEWAY_PORT: '9000' }, env: { GATEWAY_PORT: '8000' } }, cwd);
    expect(config.gatewayPort).toBe(9000);
    expect(config.origins.GATEWAY_PORT).toBe('flag');
  });
});

describe('loadConfig: each invalid variable names itself and what is expected', () => {
  const cases: { env: Record<string, string>; expected: RegExp }[] = [
    { env: { GATEWAY_PORT: 'abc' }, expected: /^GATEWAY_PORT: expected a port number \(0-65535\)$/ },
    { env: { GATEWAY_PORT: '70000' }, expected: /^GATEWAY_PORT: expected a port number \(0-65535\)$/ },
    { env: { API_PORT: '-1' }, expected: /^API_PORT: expected a port number \(0-65535\)$/ },
    // z.coerce.number() read these as 0 (any free port), 8080, 1000 and 80.
    { env: { GATEWAY_PORT: ' ' }, expected: /^GATEWAY_PORT: expected a port number/ },
    { env: { GATEWAY_PORT: '0x1f90' }, expected: /^GATEWAY_PORT: expected a port number/ },
    { env: { API_PORT: '1e3' }, expected: /^API_PORT: expected a port number/ },
    { env: { API_PORT: '80.0' }, expected: /^API_PORT: expected a port number/ },
    { env: { API_PORT: '99999999999999999999999' }, expected: /^API_PORT: expected a port number \(0-65535\)$/ },
    { env: { DATABASE_URL: 'mysql://x' }, expected: /^DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL$/ },
    { env: { REDIS_URL: 'http://x' }, expected: /^REDIS_URL: expected a redis:\/\/ or rediss:\/\/ URL$/ },
    { env: { NODE_ENV: 'staging' }, expected: /^NODE_ENV: expected development, production or test$/ },
    { env: { LOG_LEVEL: 'loud' }, expected: /^LOG_LEVEL: expected fatal, error, warn, info, debug, trace or silent$/ },
    { env: { PUBLIC_URL: 'ftp://x' }, expected: /^PUBLIC_URL: expected an absolute http\(s\) URL$/ },
    { env: { PUBLIC_URL: 'not a url' }, expected: /^PUBLIC_URL: expected an absolute http\(s\) URL$/ },
    { env: { AUTH_SECRET: 'short' }, expected: /^AUTH_SECRET: expected at least 32 characters$/ },
    { env: { MASTER_KEY: 'not-a-key' }, expected: /^MASTER_KEY: master key must be 32 random bytes encoded as base64/ },
    { env: { TRUST_PROXY: 'true' }, expected: /^TRUST_PROXY: .*trusting every proxy lets any client forge its IP/ },
    { env: { TRUST_PROXY: '0.0.0.0/0' }, expected: /^TRUST_PROXY: .*trusts every address/ },
    { env: { TRUST_PROXY: '11' }, expected: /^TRUST_PROXY: .*must be 1-10/ },
    { env: { CORS_ORIGINS: 'https://a.com/path' }, expected: /^CORS_ORIGINS: "https:\/\/a.com\/path" is not an origin \(expected scheme/ },
    { env: { CORS_ORIGINS: 'https://a.com,*' }, expected: /^CORS_ORIGINS: "\*" is not an origin/ },
    { env: { CORS_ORIGINS: 'ftp://a.com' }, expected: /^CORS_ORIGINS: "ftp:\/\/a.com" is not an origin/ },
    { env: { TLS_CERT_FILE: '/etc/cert.pem' }, expected: /^TLS_CERT_FILE, TLS_KEY_FILE: set both or neither$/ },
    { env: { TLS_KEY_FILE: '/etc/key.pem' }, expected: /^TLS_CERT_FILE, TLS_KEY_FILE: set both or neither$/ },
    { env: { TLS_CERT_FILE: ' ' }, expected: /^TLS_CERT_FILE: expected a value/ },
    { env: { GATEWAY_PORT: '4001' }, expected: /^GATEWAY_PORT, API_PORT: the two services need different ports$/ },
    { env: { GATEWAY_PORT: '7000', API_PORT: '7000' }, expected: /^GATEWAY_PORT, API_PORT: the two services need different ports$/ },
    { env: { DATABASE_POOL_MAX: '0' }, expected: /^DATABASE_POOL_MAX: expected a whole number from 1 to 200$/ },
    { env: { DATABASE_POOL_MAX: '201' }, expected: /^DATABASE_POOL_MAX: expected a whole number from 1 to 200$/ },
    { env: { SHUTDOWN_TIMEOUT_MS: '1.5' }, expected: /^SHUTDOWN_TIMEOUT_MS: expected a whole number/ },
    { env: { RETENTION_INTERVAL_SECONDS: '0' }, expected: /^RETENTION_INTERVAL_SECONDS: expected a whole number/ },
    { env: { SIEM_WEBHOOK_URL: 'https://siem.example.com/in' }, expected: /^SIEM_WEBHOOK_URL, SIEM_WEBHOOK_SECRET: set both or neither$/ },
    {
      env: { SIEM_WEBHOOK_URL: 'https://siem.example.com/in', SIEM_WEBHOOK_SECRET: 'short' },
      expected: /^SIEM_WEBHOOK_SECRET: expected at least 32 characters$/,
    },
    {
      env: { NODE_ENV: 'production', SIEM_WEBHOOK_URL: 'http://169.254.169.254/latest', SIEM_WEBHOOK_SECRET: 'x'.repeat(32) },
      expected: /^SIEM_WEBHOOK_URL: /,
    },
  ];

  it.each(cases)('$env', ({ env, expected }) => {
    const problems = problemsOf(env);
    // Exactly one problem: the message for this variable, and no follow-on noise.
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  it('reports TLS files that do not exist, relative to cwd', () => {
    writeFileSync(join(cwd, 'cert.pem'), 'x');
    expect(problemsOf({ TLS_CERT_FILE: 'cert.pem', TLS_KEY_FILE: 'missing-key.pem' })).toEqual([
      'TLS_KEY_FILE: missing-key.pem does not exist',
    ]);
  });

  it('formats the error message as one line per problem', () => {
    const error = configError({ GATEWAY_PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe(
      'Invalid configuration:\n' +
        '  - GATEWAY_PORT: expected a port number (0-65535)\n' +
        '  - LOG_LEVEL: expected fatal, error, warn, info, debug, trace or silent',
    );
  });
});

describe('loadConfig: every problem at once', () => {
  it('reports schema problems, cross-checks and source problems together', () => {
    const envFile = join(cwd, '.env');
    writeFileSync(envFile, 'GATWAY_PORT=4000\n');
    const problems = problemsOf(
      {
        PORTCULLIS_FOO: '1',
        GATEWAY_PORT: 'abc',
        NODE_ENV: 'staging',
        AUTH_SECRET: 'short',
        MASTER_KEY: 'not-a-key',
        TRUST_PROXY: 'true',
        CORS_ORIGINS: 'https://a.com/path',
        TLS_CERT_FILE: '/etc/cert.pem',
        REDIS_URL_FILE: join(cwd, 'missing'),
      },
      { envFile },
    );
    const variables = problems.map((p) => p.split(':')[0]);
    expect(variables).toEqual(
      expect.arrayContaining([
        'PORTCULLIS_FOO',
        `GATWAY_PORT (in ${envFile})`,
        'REDIS_URL_FILE',
        'GATEWAY_PORT',
        'NODE_ENV',
        'AUTH_SECRET',
        'MASTER_KEY',
        'TRUST_PROXY',
        'CORS_ORIGINS',
        'TLS_CERT_FILE, TLS_KEY_FILE',
      ]),
    );
    expect(problems).toHaveLength(10);
  });

  it('does not add follow-on problems about a value that is already invalid', () => {
    // GATEWAY_PORT is wrong; its default (4000) must not then "collide" with API_PORT=4000.
    expect(problemsOf({ GATEWAY_PORT: 'abc', API_PORT: '4000' })).toEqual(['GATEWAY_PORT: expected a port number (0-65535)']);
    // An empty TLS_CERT_FILE is reported as such, not as "set both or neither".
    const { key } = writeTlsFiles(cwd);
    expect(problemsOf({ TLS_CERT_FILE: ' ', TLS_KEY_FILE: key })).toEqual([
      'TLS_CERT_FILE: expected a value (unset the variable instead of leaving it empty)',
    ]);
  });

  it('reports one variable once even when it breaks two rules', () => {
    expect(problemsOf({ PUBLIC_URL: 'nope' })).toEqual(['PUBLIC_URL: expected an absolute http(s) URL']);
  });
});

describe('loadConfig: secret values never appear in errors', () => {
  const authSecret = `Zq8${randomBytes(9).toString('hex')}`; // 21 characters: too short, but a real secret
  const masterKey = `${randomBytes(20).toString('hex')}Q`; // 41 characters: not a key
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const databaseUrl = `mysql://admin:${password}@db.internal:3306/portcullis`;

  function expectNoSecret(error: ConfigError): void {
    const text = [error.message, ...error.problems, JSON.stringify(error)].join('\n');
    for (const secret of [authSecret, masterKey, password, databaseUrl, 'db.internal']) expect(text).not.toContain(secret);
  }

  it('from the environment', () => {
    const error = configError({
      AUTH_SECRET: authSecret,
      MASTER_KEY: masterKey,
      DATABASE_URL: databaseUrl,
      REDIS_URL: `http://:${password}@r`,
    });
    expect(error.problems.map((p) => p.split(':')[0]).sort()).toEqual(['AUTH_SECRET', 'DATABASE_URL', 'MASTER_KEY', 'REDIS_URL']);
    expectNoSecret(error);
  });

  it('from NAME_FILE files and a .env file', () => {
    const authFile = join(cwd, 'auth');
    writeFileSync(authFile, `${authSecret}\n`);
    const envFile = join(cwd, '.env');
    writeFileSync(envFile, `MASTER_KEY=${masterKey}\nDATABASE_URL="${databaseUrl}"\n`);
    const error = configError({ AUTH_SECRET_FILE: authFile }, { envFile });
    expect(error.problems).toHaveLength(3);
    expectNoSecret(error);
  });

  it('when a valid secret sits next to an invalid variable', () => {
    const strong = randomBytes(48).toString('base64');
    const key = generateMasterKey();
    const error = configError({ AUTH_SECRET: strong, MASTER_KEY: key, DATABASE_URL: `postgres://u:${password}@h/db`, GATEWAY_PORT: 'x' });
    expect(error.message).not.toContain(strong);
    expect(error.message).not.toContain(key);
    expect(error.message).not.toContain(password);
  });

  it('registers configured secrets with the log scrubber even when loading fails', () => {
    const strong = randomBytes(48).toString('base64url');
    const url = `postgres://u:${password}@h/db`;
    configError({ AUTH_SECRET: strong, DATABASE_URL: url, LOG_LEVEL: 'loud' });
    expect(scrubSecrets(`value=${strong}`)).toBe(`value=${REDACTED}`);
    expect(scrubSecrets(url)).toBe(REDACTED);
  });

  it('registers each MASTER_KEY_PREVIOUS entry on its own, so one key alone is redacted too', () => {
    const [first, second] = [generateMasterKey(), generateMasterKey()];
    load({ MASTER_KEY_PREVIOUS: `${first}, ${second}` });
    expect(scrubSecrets(`old=${second}`)).toBe(`old=${REDACTED}`);
    expect(scrubSecrets(`old=${first}`)).toBe(`old=${REDACTED}`);
  });

  it('does not echo a secret that a malformed .env line turned into a key', () => {
    const key = generateMasterKey().replace(/[+/=]/g, 'x');
    const envFile = join(cwd, '.env');
    writeFileSync(envFile, `LOG_LEVEL=info\nMASTER_KEY: ${key}\nHOST=0.0.0.0\n`);
    const error = configError({}, { envFile });
    expect(error.message).not.toContain(key);
    expect(error.problems).toEqual([
      `${envFile} line 2: not a NAME=value line with a known upper-case NAME (contents not shown: they may hold a secret)`,
    ]);
  });
});
