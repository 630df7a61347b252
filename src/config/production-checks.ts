import type { Config } from './load.js';
import { authSecretWeakness } from './secret-strength.js';

export type Check = {
  id: string;
  title: string;
  ok: boolean;
  detail: string;
  /** required: refused at start with NODE_ENV=production; recommended: doctor reports it, start does not refuse. */
  level: 'required' | 'recommended';
};

/**
 * The production checklist that needs only the configuration (doctor adds live checks: database,
 * Redis, file modes). NODE_ENV=production refuses to start on any failed `required` check.
 */
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
    level: 'required',
  });

  const masterKeySet = config.masterKey !== undefined && configured('MASTER_KEY');
  checks.push({
    id: 'master-key',
    title: 'MASTER_KEY is set (32 random bytes)',
    ok: masterKeySet,
    detail: masterKeySet && config.masterKey ? `key id ${config.masterKey.id}` : notConfigured,
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
    level: 'required',
  });

  checks.push({
    id: 'public-url',
    title: 'PUBLIC_URL is https',
    ok: config.publicUrl.startsWith('https://'),
    detail: config.publicUrl,
    level: 'required',
  });

  checks.push({
    id: 'database',
    title: 'DATABASE_URL points at PostgreSQL',
    ok: config.databaseUrl !== undefined,
    detail: config.databaseUrl ? 'PostgreSQL' : 'embedded PGlite: one process, no replicas, no separate database roles',
    level: 'recommended',
  });

  checks.push({
    id: 'redis',
    title: 'REDIS_URL is set',
    ok: config.redisUrl !== undefined,
    detail: config.redisUrl ? 'Redis' : 'in-memory store: limits and cache invalidation do not span replicas',
    level: 'recommended',
  });
  return checks;
}

export function failedRequired(checks: Check[]): Check[] {
  return checks.filter((c) => c.level === 'required' && !c.ok);
}
