/**
 * Everything the gateway keeps between requests, built once per process: caches that keep the
 * database off the hot path (verified API keys, project context, decrypted provider keys, data
 * keys), the upstream client, circuit breakers, the response cache and the request-log writer.
 * Cache-invalidation events from the bus (in-process, or Redis across replicas) drop stale entries
 * at once; TTLs bound staleness if an event is ever missed.
 */
import { deriveKey } from '../crypto/derive-key.js';
import type { BusEvent } from '../events/event-bus.js';
import type { Runtime } from '../server/runtime.js';
import { createApiKeyAuthenticator, type ApiKeyAuthenticator } from './authenticate.js';
import { createKnownGoodKeys } from './auth/known-good-keys.js';
import { createKeyRevalidator } from './auth/key-revalidation.js';
import { createVerifiedKeyCache, type VerifiedKeyCache } from './auth/verified-key-cache.js';
import { createResponseCache, type ResponseCache } from './cache/response-cache.js';
import { createCachedLoader, type CachedLoader } from './context/cached-loader.js';
import { createDataKeyCache, type DataKeyCache } from './context/data-keys.js';
import { loadProjectContext, type ProjectContext } from './context/project-context.js';
import { createProviderSecretCache, type ProviderSecretCache } from './context/provider-secrets.js';
import { createRequestLogWriter } from './request-log/writer.js';
import type { RequestLogWriter } from './request-log/types.js';
import { createCircuitBreakerRegistry, type CircuitBreakerRegistry } from './upstream/circuit-breaker.js';
import { createUpstreamClient, type UpstreamClient } from './upstream/http-client.js';
import { usageTotals } from '../db/definer.js';
import { insuranceReporter } from '../limits/insurance-reporter.js';
import { createKeyedLimiter, type KeyedLimiter } from '../limits/keyed-limiter.js';
import { createRateLimiter, type RateLimiter } from '../limits/rate-limiter.js';
import { createUsageLimiter, type UsageLimiter } from '../limits/usage-limiter.js';
import { createBudgetAlerts } from './limits/budget-alerts.js';
import { createValueHasher } from './guardrails/value-hash.js';
import { createScanPool, type GuardrailScanPool } from './guardrails/scan-pool.js';
import { gatewayAlertAuditSink } from '../alerts/audit-sink.js';
import { cacheStoreErrorsTotal, safely } from '../observability/metrics.js';
import { createSecurityAlerts, type SecurityAlerts } from '../alerts/service.js';
import { deliveredCountsIdle } from './usage/delivered-usage.js';

export type GatewayServices = {
  authenticate: ApiKeyAuthenticator;
  keyCache: VerifiedKeyCache;
  projectContexts: CachedLoader<`${string}:${string}`, ProjectContext>;
  providerSecrets: ProviderSecretCache;
  dataKeys: DataKeyCache;
  upstream: UpstreamClient;
  breakers: CircuitBreakerRegistry;
  responseCache: ResponseCache;
  logWriter: RequestLogWriter;
  usageLimiter: UsageLimiter;
  rateLimiter: RateLimiter;
  /** Failed API-key verifications (each costs a bcrypt), per lookup id and per client IP. */
  failedAuthByLookupId: KeyedLimiter;
  failedAuthByIp: KeyedLimiter;
  /** HMAC of a guardrail finding's value under the org's own key (guardrails/value-hash.ts). */
  guardrailValueHash: (orgId: string) => (value: string) => string;
  /** Worker threads for guardrail scans of long texts; undefined when GUARDRAIL_SCAN_WORKERS is 0. */
  guardrailScanPool: GuardrailScanPool | undefined;
  /** Security-alert signals of /v1 requests (new key network, guardrail block bursts): alerts/. */
  securityAlerts: SecurityAlerts;
  /** Operator-facing reasons that must not reach the client (a refused provider address, say). */
  logger: Runtime['logger'];
  /** Stop taking events, flush the request logs, close upstream connections. */
  close(): Promise<void>;
};

export type GatewayServicesOptions = {
  /** Tests shorten these. */
  breaker?: { failureThreshold: number; openMs: number };
  logFlushIntervalMs?: number;
  /** Tests drive the clock of the hot-path caches (verified keys, project context, provider and data keys). */
  cacheClock?: () => number;
};

export function createGatewayServices(runtime: Runtime, options: GatewayServicesOptions = {}): GatewayServices {
  const db = runtime.gatewayDb;
  // Hot-path caches refresh ahead in the background (cache/refresh-ahead-cache.ts); a failed
  // background refresh is logged once per outage, and the entry is served until twice its TTL.
  const cacheLogger = runtime.logger.child({ component: 'gateway-cache' });
  const cacheOptions = (cache: string) => ({
    ...(options.cacheClock ? { now: options.cacheClock } : {}),
    onRefreshError: (error: unknown) =>
      cacheLogger.warn({ err: error, cache }, 'background cache refresh failed: serving cached entries until they expire'),
  });
  const keyCache = createVerifiedKeyCache({
    pepper: deriveKey(runtime.secrets.authSecret, 'api-key-cache-pepper'),
    revalidate: createKeyRevalidator(db),
    ...cacheOptions('verified-keys'),
  });
  // Org-level settings the limiter and alerts need by org id, kept from the last loaded context.
  const orgSettingsById = new Map<string, ProjectContext['orgSettings']>();
  const projectContexts = createCachedLoader<`${string}:${string}`, ProjectContext>({
    ttlMs: 60_000,
    ...cacheOptions('project-context'),
    load: async (key) => {
      const [orgId, projectId] = key.split(':') as [string, string];
      const context = await loadProjectContext(db, orgId, projectId);
      orgSettingsById.set(orgId, context.orgSettings);
      return context;
    },
  });
  const providerSecrets = createProviderSecretCache(db, runtime.keyring, cacheOptions('provider-secrets'));
  const dataKeys = createDataKeyCache(db, runtime.keyring, cacheOptions('data-keys'));
  const upstream = createUpstreamClient({ allowPrivate: runtime.config.allowPrivateProviderUrls });
  const breakers = createCircuitBreakerRegistry(options.breaker ?? { failureThreshold: 5, openMs: 30_000 });
  const responseCache = createResponseCache(runtime.store, dataKeys, {
    logger: runtime.logger.child({ component: 'response-cache' }),
    onStoreError: (op, reason) => safely(() => cacheStoreErrorsTotal.inc({ op, reason })),
  });
  const logWriter = createRequestLogWriter({
    db,
    keyring: runtime.keyring,
    logger: runtime.logger.child({ component: 'request-log' }),
    ...(options.logFlushIntervalMs ? { flushIntervalMs: options.logFlushIntervalMs } : {}),
  });

  const redis = runtime.config.redisUrl;
  const prefix = runtime.config.redisPrefix;
  const limitsLogger = runtime.logger.child({ component: 'limits' });
  const usageCounters = runtime.usageCounters;
  const budgetAlerts = createBudgetAlerts({
    db,
    dataKeys,
    upstream,
    logger: limitsLogger,
    webhookUrl: (orgId) => orgSettingsById.get(orgId)?.budgetWebhookUrl ?? null,
    actorId: `gateway@${runtime.host}`,
  });
  const usageLimiter = createUsageLimiter({
    counters: usageCounters,
    rebuild: (scope, since) => db.withRole((tx) => usageTotals(tx, scope.orgId, scope.type, scope.id, since)),
    onThreshold: budgetAlerts,
    failOpen: (orgId) => orgSettingsById.get(orgId)?.limitsFailOpen ?? false,
    onError: (error) => limitsLogger.warn({ err: error }, 'budget alert failed'),
  });
  // One warning per limiter when Redis stops answering, one line when it is back, metrics in between.
  const onInsurance = insuranceReporter({ logger: limitsLogger, redisPrefix: prefix });
  const rateLimiter = createRateLimiter({
    ...(redis ? { redis } : {}),
    prefix,
    onInsurance,
    onError: (error) => limitsLogger.error({ err: error }, 'rate limiter failed'),
  });
  // Uncached verifications (each a bcrypt): 10 per minute per lookup id FROM ONE ADDRESS, 50 per
  // address, and 300 per lookup id from everywhere (the CPU cap). A legitimate key verifies once
  // and is then cached, so only floods of wrong secrets reach these. Keyed by (lookup id, address)
  // rather than lookup id alone: lookup ids are not secret, and a per-id block would let anyone
  // who knows one lock its owner out.
  const keyed = (points: number, name: string, blockDurationSeconds?: number) =>
    createKeyedLimiter({
      points,
      durationSeconds: 60,
      ...(blockDurationSeconds ? { blockDurationSeconds } : {}),
      ...(redis ? { redis } : {}),
      prefix: `${prefix}${name}:`,
      onInsurance,
    });
  const failedAuthByLookupId = keyed(10, 'auth-lookup-ip', 60);
  const failedAuthByIp = keyed(50, 'auth-ip', 60);
  // Once a lookup id's 300 are spent, only keys that verified before still get a bcrypt
  // (auth/known-good-keys.ts): the cap holds for wrong secrets without locking the owner out.
  const failedAuthByLookupIdGlobal = keyed(300, 'auth-lookup');

  const orgPrefix = (orgId: string) => (key: string) => key.startsWith(`${orgId}:`);
  const onEvent = (event: BusEvent) => {
    switch (event.type) {
      case 'api_key.changed':
        keyCache.invalidate(event.apiKeyId);
        return;
      case 'provider_key.changed':
        providerSecrets.invalidate(orgPrefix(event.orgId));
        projectContexts.invalidate(orgPrefix(event.orgId));
        return;
      case 'org.changed':
      case 'policy.changed':
        projectContexts.invalidate(orgPrefix(event.orgId));
        providerSecrets.invalidate(orgPrefix(event.orgId));
        dataKeys.invalidate(event.orgId);
        return;
    }
  };
  const unsubscribe = runtime.bus.subscribe(onEvent);
  const alertsLogger = runtime.logger.child({ component: 'security-alerts' });
  const securityAlerts = createSecurityAlerts({
    db,
    keyring: runtime.keyring,
    store: runtime.store,
    mailer: runtime.mailer,
    allowPrivate: runtime.config.allowPrivateProviderUrls,
    logger: alertsLogger,
    audit: gatewayAlertAuditSink(runtime.gatewayDb, runtime.keyring, alertsLogger),
  });

  const guardrailScanPool =
    runtime.config.guardrailScanWorkers > 0 ? createScanPool({ workers: runtime.config.guardrailScanWorkers }) : undefined;

  /** The refresh-ahead caches close() waits for and then empties. */
  const hotPathCaches: { idle?(): Promise<void>; clear?(): void }[] = [keyCache, projectContexts, providerSecrets, dataKeys];

  return {
    authenticate: createApiKeyAuthenticator(db, keyCache, {
      limiters: { byLookupIdAndIp: failedAuthByLookupId, byIp: failedAuthByIp, byLookupId: failedAuthByLookupIdGlobal },
      knownGood: createKnownGoodKeys({
        store: runtime.store,
        pepper: deriveKey(runtime.secrets.authSecret, 'api-key-known-good-pepper'),
        onError: (error) => limitsLogger.warn({ err: error }, 'known-good API-key marker unavailable'),
      }),
    }),
    keyCache,
    projectContexts,
    providerSecrets,
    dataKeys,
    upstream,
    breakers,
    responseCache,
    logWriter,
    usageLimiter,
    rateLimiter,
    failedAuthByLookupId,
    failedAuthByIp,
    guardrailValueHash: createValueHasher(runtime.secrets.authSecret),
    guardrailScanPool,
    securityAlerts,
    logger: runtime.logger.child({ component: 'gateway' }),
    async close() {
      unsubscribe();
      // Background cache refreshes read the database: they finish before the runtime closes it.
      await Promise.allSettled(hotPathCaches.map((cache) => cache.idle?.() ?? Promise.resolve()));
      await securityAlerts.idle();
      await deliveredCountsIdle(); // counts of cut streams finish their request logs
      await logWriter.close(Math.max(1_000, runtime.config.shutdownTimeoutMs));
      await Promise.allSettled([
        rateLimiter.close(),
        failedAuthByLookupId.close(),
        failedAuthByIp.close(),
        failedAuthByLookupIdGlobal.close(),
      ]);
      await upstream.close();
      await guardrailScanPool?.close();
      // Decrypted provider keys and data keys do not outlive the gateway that used them.
      for (const cache of hotPathCaches) cache.clear?.();
    },
  };
}
