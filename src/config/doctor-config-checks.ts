/**
 * Checklist items only `portcullis doctor` reports (start does not refuse on them): how secrets
 * reach the process, whether audit events leave the host, and whether the master key in use is
 * the one generated into the data dir for development. Configuration and the data dir only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseMasterKey } from '../crypto/master-key.js';
import { secretsDir } from './generated-secrets.js';
import type { Config } from './load.js';
import type { Check } from './production-checks.js';
import { variableMeta, VARIABLE_NAMES } from './variables.js';

/** A flag's value is in the process's argv: every local user sees it in `ps`, and shells keep it in their history. */
export function commandLineSecretsCheck(config: Config): Check {
  const onCommandLine = VARIABLE_NAMES.filter((name) => variableMeta(name).secret && config.origins[name] === 'flag');
  const flags = onCommandLine.map((name) => `${variableMeta(name).flag ?? name} (${name})`);
  return {
    id: 'secrets-command-line',
    title: 'No secret is passed on the command line',
    ok: onCommandLine.length === 0,
    detail: onCommandLine.length === 0 ? 'none' : `${flags.join(', ')} visible to every local user in \`ps\``,
    fix: `pass ${onCommandLine.length === 0 ? 'secrets' : onCommandLine.join(', ')} in the environment, a NAME_FILE file or the .env file instead of a flag`,
    level: 'recommended',
  };
}

/**
 * Audit events are always recorded in the database; "on" here means they also leave it (SIEM
 * webhook or stdout to a log shipper), so whoever controls the database cannot erase them alone.
 */
export function auditLoggingCheck(config: Config): Check {
  const sinks = [config.siem.webhook ? 'SIEM webhook' : undefined, config.siem.stdout ? 'stdout (SIEM_STDOUT)' : undefined].filter(
    (s): s is string => s !== undefined,
  );
  return {
    id: 'audit-logging',
    title: 'Audit events are shipped off the database',
    ok: sinks.length > 0,
    detail: sinks.length === 0 ? 'audit events are kept only in the database' : `to ${sinks.join(' and ')}`,
    fix: 'set SIEM_WEBHOOK_URL and SIEM_WEBHOOK_SECRET, or SIEM_STDOUT=true with a log shipper',
    level: 'recommended',
  };
}

/** The key id of the generated development key, or undefined when there is none (or it is unreadable). */
function generatedMasterKeyId(dataDir: string): string | undefined {
  const path = join(secretsDir(dataDir), 'master-key');
  if (!existsSync(path)) return undefined;
  try {
    return parseMasterKey(readFileSync(path, 'utf8')).id;
  } catch {
    return undefined; // start reports a damaged file; here it only matters whether it is in use
  }
}

/**
 * The master key generated into the data dir on first start sits on the same disk as the data it
 * protects (and in every backup of the data dir): fine for development, a warning in production.
 * Compared by key id, so the key itself is never printed.
 */
export function developmentMasterKeyCheck(config: Config): Check {
  const path = join(secretsDir(config.dataDir), 'master-key');
  const generatedId = generatedMasterKeyId(config.dataDir);
  const configured = config.masterKey !== undefined && config.origins.MASTER_KEY !== 'default';
  const inUse = generatedId !== undefined && (!configured || config.masterKey?.id === generatedId);
  const stillNeeded = generatedId !== undefined && config.previousMasterKeys.some((k) => k.id === generatedId);
  const base = {
    id: 'master-key-development',
    title: 'The master key is not the one generated for development',
    fix: 'set MASTER_KEY (`openssl rand -base64 32`) and keep no generated key in the data dir',
    level: 'recommended',
  } as const;
  if (generatedId === undefined) return { ...base, ok: true, detail: 'no generated key in the data dir' };
  if (!config.production) return { ...base, ok: true, detail: `${path} exists (fine outside production)` };
  return {
    ...base,
    ok: false,
    detail: inUse
      ? `MASTER_KEY is the key generated into ${path}`
      : stillNeeded
        ? `the generated key ${path} is still in MASTER_KEY_PREVIOUS (rotation in progress)`
        : `a generated key is still in ${path}`,
    fix: inUse
      ? 'set a new MASTER_KEY (`openssl rand -base64 32`), the old one in MASTER_KEY_PREVIOUS, run `portcullis keys rotate-master`, then delete the file'
      : 'once `portcullis keys rotate-master` has finished, drop it from MASTER_KEY_PREVIOUS and delete the file',
  };
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Where Prometheus metrics are served. They name no tenant, but tell whoever reads them traffic
 * volumes, providers, models and error rates: a metrics port on a non-loopback address with no
 * token is open to anyone who can reach it, which only a network policy or firewall can prevent.
 */
export function metricsExposureCheck(config: Config): Check {
  const { port, token } = config.metrics;
  const base = {
    id: 'metrics-exposure',
    title: 'Prometheus /metrics is served only to whoever should read it',
    fix: 'set METRICS_TOKEN (32+ characters), or make sure only the Prometheus scraper reaches METRICS_PORT (network policy, firewall)',
    level: 'recommended',
  } as const;
  if (port === undefined)
    return {
      ...base,
      ok: true,
      detail:
        token === undefined ? 'not served (set METRICS_PORT or METRICS_TOKEN to expose it)' : 'on the service ports, bearer token required',
    };
  const where = `on port ${port} of ${config.host}`;
  if (token !== undefined) return { ...base, ok: true, detail: `${where}, bearer token required` };
  const open = !LOOPBACK_HOSTS.has(config.host);
  return { ...base, ok: !open, detail: open ? `${where} without a token` : `${where} (loopback only) without a token` };
}

export function doctorConfigChecks(config: Config): Check[] {
  return [commandLineSecretsCheck(config), auditLoggingCheck(config), developmentMasterKeyCheck(config), metricsExposureCheck(config)];
}
