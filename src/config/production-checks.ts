import type { Config } from './load.js';
import { authSecretWeakness } from './secret-strength.js';

export type Check = {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
  /** One line: what to change so the check passes (printed when it does not). */
  fix: string;
  /** required: refused at start with NODE_ENV=production; recommended: doctor reports it, start does not refuse. */
  level: 'required' | 'recommended';
};

/**
 * The production checklist that needs only the configuration (doctor adds live checks: database,
 * Redis, file modes). NODE_ENV=production refuses to start on any failed `required` check.
 */
export type CheckStatus = 'pass' | 'warn' | 'fail';

/** A failed required check fails; a failed recommended one only warns. */
export function checkStatus(check: Check): CheckStatus {
  return check.ok ? 'pass' : check.level === 'required' ? 'fail' : 'warn';
}

export function configChecks(config: Config): Check[] {
  const checks: Check[] = [];
  const configured = (name: keyof Config['origins']) => config.origins[name] !== 'default';

  // A value whose origin is 'default' was not configured: it was filled in (e.g. generated into the
  // data dir) after loading. The detail must say so rather than print "ok" next to a failure.
  const notConfigured = 'not set (a generated one in the data dir is for development only)';
  const authWeakness =
    config.authSecret === undefined || !configured('AUTH_SECRET') ? notConfigured : authSecretWeakness(config.authSecret);
  checks.push({
    id: 'auth-secret',
    title: 'AUTH_SECRET is set and strong',
    ok: authWeakness === undefined,
    detail: authWeakness ?? 'ok',
    fix: 'set AUTH_SECRET to a random value of 32+ characters, e.g. `openssl rand -base64 48`',
    level: 'required',
  });

  // With a KMS provider the master key never leaves the KMS: nothing local to configure.
  const kms = config.masterKeyProvider.provider.kind !== 'local';
  const masterKeySet = kms || (config.masterKey !== undefined && configured('MASTER_KEY'));
  checks.push({
    id: 'master-key',
    title: 'MASTER_KEY is set (32 random bytes), or a KMS holds it',
    ok: masterKeySet,
    detail: kms
      ? `MASTER_KEY_PROVIDER=${config.masterKeyProvider.provider.kind}`
      : masterKeySet && config.masterKey
        ? `key id ${config.masterKey.id}`
        : notConfigured,
    fix: 'set MASTER_KEY to 32 random bytes, e.g. `openssl rand -base64 32`',
    level: 'required',
  });

  checks.push({
    id: 'cors',
    title: 'CORS is not open to every origin',
    ok: config.corsOrigins !== '*',
    detail:
      config.corsOrigins === '*'
        ? 'CORS_ORIGINS=* lets any website call the api'
        : config.corsOrigins.length === 0
          ? 'no cross-origin access'
          : config.corsOrigins.join(', '),
    fix: 'list the exact browser origins in CORS_ORIGINS (comma-separated), or unset it',
    level: 'required',
  });

  const transport = config.tls
    ? 'TLS served directly'
    : config.trustProxy.kind !== 'none'
      ? 'TLS terminated by a trusted proxy (TRUST_PROXY)'
      : undefined;
  checks.push({
    id: 'transport',
    title: 'Traffic is encrypted (TLS_CERT_FILE/TLS_KEY_FILE, or TRUST_PROXY behind a TLS proxy)',
    ok: transport !== undefined,
    detail: transport ?? 'plain HTTP with no trusted proxy: credentials would cross the network in clear',
    fix: 'set TLS_CERT_FILE and TLS_KEY_FILE, or TRUST_PROXY=1 (or the proxy CIDRs) behind a TLS-terminating proxy',
    level: 'required',
  });

  checks.push({
    id: 'public-url',
    title: 'PUBLIC_URL is https',
    ok: config.publicUrl.startsWith('https://'),
    detail: config.publicUrl,
    fix: 'set PUBLIC_URL to the https:// address users reach the dashboard at',
    level: 'required',
  });

  // Only when set: without a token, /metrics is on its own port or not served at all.
  if (config.metrics.token !== undefined) {
    const weakness = authSecretWeakness(config.metrics.token);
    checks.push({
      id: 'metrics-token',
      title: 'METRICS_TOKEN is strong',
      ok: weakness === undefined,
      detail: weakness ?? 'ok',
      fix: 'set METRICS_TOKEN to a random value of 32+ characters, e.g. `openssl rand -base64 48`, or unset it and use METRICS_PORT',
      level: 'required',
    });
  }

  checks.push({
    id: 'database',
    title: 'DATABASE_URL points at PostgreSQL',
    ok: config.databaseUrl !== undefined,
    detail: config.databaseUrl ? 'PostgreSQL' : 'embedded PGlite: one process, no replicas, no separate database roles',
    fix: 'set DATABASE_URL to a PostgreSQL database (see docs/database.md)',
    level: 'recommended',
  });

  checks.push({
    id: 'redis',
    title: 'REDIS_URL is set',
    ok: config.redisUrl !== undefined,
    detail: config.redisUrl ? 'Redis' : 'in-memory store: limits and cache invalidation do not span replicas',
    fix: 'set REDIS_URL so rate limits and counters are shared by every replica',
    level: 'recommended',
  });
  return checks;
}

export function failedRequired(checks: Check[]): Check[] {
  return checks.filter((c) => c.level === 'required' && !c.ok);
}
