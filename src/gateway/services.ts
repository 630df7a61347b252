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
  /** Stop taking events, flush the request logs, close upstream connections. */
  close(): Promise<void>;
};

export type GatewayServicesOptions = {
  /** Tests shorten these. */
  breaker?: { failureThreshold: number; openMs: number };
  logFlushIntervalMs?: number;
};

export function createGatewayServices(runtime: Runtime, options: GatewayServicesOptions = {}): GatewayServices {
  const db = runtime.gatewayDb;
  const keyCache = createVerifiedKeyCache({ pepper: deriveKey(runtime.secrets.authSecret, 'api-key-cache-pepper') });
  const projectContexts = createCachedLoader<`${string}:${string}`, ProjectContext>({
    ttlMs: 60_000,
    load: (key) => {
      const [orgId, projectId] = key.split(':') as [string, string];
      return loadProjectContext(db, orgId, projectId);
    },
  });
  const providerSecrets = createProviderSecretCache(db, runtime.keyring);
  const dataKeys = createDataKeyCache(db, runtime.keyring);
  const upstream = createUpstreamClient({ allowPrivate: runtime.config.allowPrivateProviderUrls });
  const breakers = createCircuitBreakerRegistry(options.breaker ?? { failureThreshold: 5, openMs: 30_000 });
  const responseCache = createResponseCache(runtime.store, dataKeys);
  const logWriter = createRequestLogWriter({
    db,
    keyring: runtime.keyring,
    logger: runtime.logger.child({ component: 'request-log' }),
    ...(options.logFlushIntervalMs ? { flushIntervalMs: options.logFlushIntervalMs } : {}),
  });

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

  return {
    authenticate: createApiKeyAuthenticator(db, keyCache),
    keyCache,
    projectContexts,
    providerSecrets,
    dataKeys,
    upstream,
    breakers,
    responseCache,
    logWriter,
    async close() {
      unsubscribe();
      await logWriter.close(Math.max(1_000, runtime.config.shutdownTimeoutMs));
      await upstream.close();
    },
  };
}
