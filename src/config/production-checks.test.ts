import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey, parseMasterKey } from '../crypto/master-key.js';
import { loadConfig, type Config } from './load.js';
import { checkStatus, configChecks, failedRequired, type Check } from './production-checks.js';

let dir: string;
const authSecret = randomBytes(48).toString('base64');
const masterKey = generateMasterKey();
const dbPassword = `db-${randomBytes(12).toString('hex')}`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-checks-test-'));
  writeFileSync(join(dir, 'cert.pem'), 'cert');
  writeFileSync(join(dir, 'key.pem'), 'key', { mode: 0o600 });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const productionEnv = (): Record<string, string> => ({
  NODE_ENV: 'production',
  AUTH_SECRET: authSecret,
  MASTER_KEY: masterKey,
  TLS_CERT_FILE: join(dir, 'cert.pem'),
  TLS_KEY_FILE: join(dir, 'key.pem'),
  PUBLIC_URL: 'https://portcullis.example.com',
  CORS_ORIGINS: 'https://app.example.com',
  DATABASE_URL: `postgres://portcullis:${dbPassword}@db:5432/portcullis`,
  REDIS_URL: 'rediss://cache:6380',
});

/** The production-ready env with some variables changed (undefined: removed). */
function configWith(changes: Record<string, string | undefined>): Config {
  const env = productionEnv();
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return loadConfig({ env }, dir);
}

const failedIds = (config: Config) => failedRequired(configChecks(config)).map((c) => c.id);
const check = (config: Config, id: string): Check => {
  const found = configChecks(config).find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

describe('configChecks', () => {
  it('passes every check, required and recommended, for a production-ready configuration', () => {
    const checks = configChecks(configWith({}));
    expect(checks.map((c) => c.id)).toEqual(['auth-secret', 'master-key', 'cors', 'transport', 'public-url', 'database', 'redis']);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(failedRequired(checks)).toEqual([]);
  });

  it('accepts TLS terminated by a trusted proxy instead of TLS served directly', () => {
    const config = configWith({ TLS_CERT_FILE: undefined, TLS_KEY_FILE: undefined, TRUST_PROXY: '1' });
    expect(failedIds(config)).toEqual([]);
    expect(check(config, 'transport').detail).toMatch(/trusted proxy/);
  });

  const insecure: { name: string; changes: Record<string, string | undefined>; id: string; detail: RegExp }[] = [
    { name: 'AUTH_SECRET missing', changes: { AUTH_SECRET: undefined }, id: 'auth-secret', detail: /not set/ },
    { name: 'AUTH_SECRET changeme-style', changes: { AUTH_SECRET: 'changeme'.repeat(4) }, id: 'auth-secret', detail: /variety/ },
    {
      name: 'AUTH_SECRET with a placeholder word',
      changes: { AUTH_SECRET: 'password1234567890password1234567890' },
      id: 'auth-secret',
      detail: /placeholder word/,
    },
    { name: 'MASTER_KEY missing', changes: { MASTER_KEY: undefined }, id: 'master-key', detail: /not set/ },
    { name: 'CORS_ORIGINS=*', changes: { CORS_ORIGINS: '*' }, id: 'cors', detail: /any website/ },
    {
      name: 'plain HTTP without TLS and without TRUST_PROXY',
      changes: { TLS_CERT_FILE: undefined, TLS_KEY_FILE: undefined },
      id: 'transport',
      detail: /plain HTTP/,
    },
    { name: 'http PUBLIC_URL', changes: { PUBLIC_URL: 'http://portcullis.example.com' }, id: 'public-url', detail: /^http:\/\// },
  ];

  it.each(insecure)('$name fails its own check, and only that one', ({ changes, id, detail }) => {
    const config = configWith(changes);
    expect(failedIds(config)).toEqual([id]);
    expect(check(config, id).detail).toMatch(detail);
  });

  it('fails an AUTH_SECRET that came from the default (filled in after loading), and says why', () => {
    const config = configWith({ AUTH_SECRET: undefined });
    const filledIn: Config = { ...config, authSecret: randomBytes(48).toString('base64') };
    expect(filledIn.origins.AUTH_SECRET).toBe('default');
    expect(failedIds(filledIn)).toEqual(['auth-secret']);
    expect(check(filledIn, 'auth-secret').detail).toMatch(/not set/);
  });

  it('fails a MASTER_KEY that came from the default (filled in after loading)', () => {
    const config = configWith({ MASTER_KEY: undefined });
    const filledIn: Config = { ...config, masterKey: parseMasterKey(generateMasterKey()) };
    expect(filledIn.origins.MASTER_KEY).toBe('default');
    expect(failedIds(filledIn)).toEqual(['master-key']);
    expect(check(filledIn, 'master-key').detail).toMatch(/not set/);
  });

  it('fails every insecure default of an unconfigured development setup', () => {
    const config = loadConfig({ env: {} }, dir);
    expect(failedIds(config)).toEqual(['auth-secret', 'master-key', 'transport', 'public-url']);
    expect(check(config, 'cors').ok).toBe(true); // no CORS at all is the safe default
  });

  it('does not count the recommended checks (DATABASE_URL, REDIS_URL) as required failures', () => {
    const config = configWith({ DATABASE_URL: undefined, REDIS_URL: undefined });
    const checks = configChecks(config);
    const notOk = checks.filter((c) => !c.ok);
    expect(notOk.map((c) => [c.id, c.level])).toEqual([
      ['database', 'recommended'],
      ['redis', 'recommended'],
    ]);
    expect(failedRequired(checks)).toEqual([]);
  });

  it('gives every check a one-line fix', () => {
    for (const c of configChecks(loadConfig({ env: {} }, dir))) expect(c.fix).toMatch(/^[^\n]{10,}$/);
  });

  it('never puts a secret in a check detail', () => {
    const text = JSON.stringify(configChecks(configWith({})));
    expect(text).not.toContain(authSecret);
    expect(text).not.toContain(masterKey);
    expect(text).not.toContain(dbPassword);
    expect(check(configWith({}), 'master-key').detail).toMatch(/^key id mk_[0-9a-f]{16}$/);
  });
  it('refuses a weak METRICS_TOKEN, accepts a strong one, and has no check without one', () => {
    expect(configChecks(configWith({})).some((c) => c.id === 'metrics-token')).toBe(false);
    const weak = check(configWith({ METRICS_TOKEN: 'prometheus-scrape-token' }), 'metrics-token');
    expect(weak).toMatchObject({ ok: false, level: 'required', detail: 'shorter than 32 characters' });
    expect(JSON.stringify(weak)).not.toContain('prometheus-scrape-token');
    expect(failedIds(configWith({ METRICS_TOKEN: 'a'.repeat(40) }))).toEqual(['metrics-token']);
    expect(check(configWith({ METRICS_TOKEN: randomBytes(32).toString('base64') }), 'metrics-token').ok).toBe(true);
  });
});

describe('failedRequired', () => {
  it('keeps the failed required checks only', () => {
    const base = { title: 't', detail: 'd', fix: 'f' };
    const checks: Check[] = [
      { ...base, id: 'a', ok: false, level: 'required' },
      { ...base, id: 'b', ok: true, level: 'required' },
      { ...base, id: 'c', ok: false, level: 'recommended' },
      { ...base, id: 'd', ok: false, level: 'required' },
    ];
    expect(failedRequired(checks).map((c) => c.id)).toEqual(['a', 'd']);
  });
});

describe('checkStatus', () => {
  it('passes an ok check, fails a failed required one and warns on a failed recommended one', () => {
    const base = { id: 'x', title: 't', detail: 'd', fix: 'f' };
    expect(checkStatus({ ...base, ok: true, level: 'required' })).toBe('pass');
    expect(checkStatus({ ...base, ok: false, level: 'required' })).toBe('fail');
    expect(checkStatus({ ...base, ok: false, level: 'recommended' })).toBe('warn');
  });
});
