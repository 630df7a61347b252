import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMasterKey } from '../crypto/master-key.js';
import {
  auditLoggingCheck,
  commandLineSecretsCheck,
  developmentMasterKeyCheck,
  doctorConfigChecks,
  metricsExposureCheck,
} from './doctor-config-checks.js';
import { loadConfig, type Config } from './load.js';
import { checkStatus } from './production-checks.js';
import type { VariableName } from './variables.js';

let dir: string;
const masterKey = generateMasterKey();
const devKey = generateMasterKey();
const dbPassword = `db-${randomBytes(12).toString('hex')}`;
const databaseUrl = `postgres://portcullis:${dbPassword}@db:5432/portcullis`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portcullis-doctor-checks-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A data dir of its own, optionally with a generated development master key in it. */
function dataDir(withDevKey: boolean): string {
  const path = mkdtempSync(join(dir, 'data-'));
  if (withDevKey) {
    mkdirSync(join(path, 'secrets'), { mode: 0o700 });
    writeFileSync(join(path, 'secrets', 'master-key'), devKey + '\n', { mode: 0o600 });
  }
  return path;
}

function config(env: Record<string, string>, flags: Partial<Record<VariableName, string>> = {}): Config {
  return loadConfig({ env: { NODE_ENV: 'production', MASTER_KEY: masterKey, PORTCULLIS_DATA_DIR: dataDir(false), ...env }, flags }, dir);
}

describe('commandLineSecretsCheck', () => {
  it('passes when secrets come from the environment, even with non-secret flags', () => {
    const check = commandLineSecretsCheck(config({ DATABASE_URL: databaseUrl }, { HOST: '0.0.0.0' }));
    expect(checkStatus(check)).toBe('pass');
  });

  it('warns on a secret given as a flag, naming the flag but not the value', () => {
    const check = commandLineSecretsCheck(config({}, { DATABASE_URL: databaseUrl }));
    expect(checkStatus(check)).toBe('warn');
    expect(check.detail).toContain('--database-url (DATABASE_URL)');
    expect(check.fix).toContain('DATABASE_URL');
    expect(JSON.stringify(check)).not.toContain(dbPassword);
  });
});

describe('auditLoggingCheck', () => {
  it('warns when audit events stay in the database only', () => {
    const check = auditLoggingCheck(config({}));
    expect(checkStatus(check)).toBe('warn');
    expect(check.fix).toMatch(/SIEM_WEBHOOK_URL/);
  });

  it('passes with SIEM_STDOUT or a SIEM webhook', () => {
    expect(checkStatus(auditLoggingCheck(config({ SIEM_STDOUT: 'true' })))).toBe('pass');
    const webhook = auditLoggingCheck(config({ SIEM_WEBHOOK_URL: 'https://siem.example.com/in', SIEM_WEBHOOK_SECRET: 'x'.repeat(40) }));
    expect(checkStatus(webhook)).toBe('pass');
    expect(webhook.detail).toContain('SIEM webhook');
  });
});

describe('developmentMasterKeyCheck', () => {
  it('passes when the data dir holds no generated key', () => {
    expect(checkStatus(developmentMasterKeyCheck(config({})))).toBe('pass');
  });

  it('warns in production when MASTER_KEY is the generated development key, without printing it', () => {
    const check = developmentMasterKeyCheck(config({ PORTCULLIS_DATA_DIR: dataDir(true), MASTER_KEY: devKey }));
    expect(checkStatus(check)).toBe('warn');
    expect(check.detail).toMatch(/is the key generated into/);
    expect(check.fix).toMatch(/rotate-master/);
    expect(JSON.stringify(check)).not.toContain(devKey);
  });

  it('warns in production when a generated key is left in the data dir beside a configured one', () => {
    const check = developmentMasterKeyCheck(config({ PORTCULLIS_DATA_DIR: dataDir(true) }));
    expect(checkStatus(check)).toBe('warn');
    expect(check.detail).toMatch(/still in/);
  });

  it('passes outside production: the generated key is what development uses', () => {
    const check = developmentMasterKeyCheck(config({ NODE_ENV: 'development', PORTCULLIS_DATA_DIR: dataDir(true) }));
    expect(checkStatus(check)).toBe('pass');
  });
});

describe('doctorConfigChecks', () => {
  it('runs every doctor-only check with a one-line fix', () => {
    const checks = doctorConfigChecks(config({}));
    expect(checks.map((c) => c.id)).toEqual(['secrets-command-line', 'audit-logging', 'master-key-development', 'metrics-exposure']);
    for (const check of checks) expect(check.fix).toMatch(/^[^\n]{10,}$/);
  });
});

describe('metricsExposureCheck', () => {
  const token = randomBytes(32).toString('base64');

  it('says where /metrics is served, never the token', () => {
    expect(metricsExposureCheck(config({}))).toMatchObject({ ok: true, detail: expect.stringMatching(/^not served/) as string });
    const onServicePorts = metricsExposureCheck(config({ METRICS_TOKEN: token }));
    expect(onServicePorts).toMatchObject({ ok: true, detail: 'on the service ports, bearer token required' });
    const onItsPort = metricsExposureCheck(config({ METRICS_PORT: '9464', METRICS_TOKEN: token, HOST: '0.0.0.0' }));
    expect(onItsPort).toMatchObject({ ok: true, detail: 'on port 9464 of 0.0.0.0, bearer token required' });
    for (const check of [onServicePorts, onItsPort]) expect(JSON.stringify(check)).not.toContain(token);
  });

  it('warns about a metrics port open to the network without a token, not about one on loopback', () => {
    const open = metricsExposureCheck(config({ METRICS_PORT: '9464', HOST: '0.0.0.0' }));
    expect(checkStatus(open)).toBe('warn');
    expect(open.detail).toBe('on port 9464 of 0.0.0.0 without a token');
    expect(checkStatus(metricsExposureCheck(config({ METRICS_PORT: '9464' })))).toBe('pass');
  });
});
