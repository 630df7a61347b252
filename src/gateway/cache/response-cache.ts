/**
 * Exact-match response cache. Entries are encrypted under the org's data key (AAD binds the org
 * and the cache key), so a Redis snapshot or backup reveals no prompt or answer, and an entry
 * copied under another key or org does not decrypt. The key is a SHA-256 over the org, project,
 * API format, the resolved route, the canonical request body (after input guardrails) and the
 * guardrail policy version.
 */
import { z } from 'zod';
import { decryptSecret, encryptSecret } from '../../crypto/envelope.js';
import { sha256Hex } from '../../crypto/hash.js';
import type { Store } from '../../store/store.js';
import type { Usage } from '../canonical/types.js';
import type { DataKeyCache } from '../context/data-keys.js';
import { canonicalJson } from './canonical-json.js';
import { createStoreGuard, FAILED, type StoreGuardOptions } from './store-guard.js';

const PURPOSE = 'response_cache';

export type CachedResponse = {
  /** Non-streamed: the JSON body as sent to the client. */
  body?: string;
  /** Streamed: the SSE frames as sent to the client, replayed in order. */
  frames?: string[];
  provider: string;
  servedModel: string | null;
  usage: Usage;
};

const cachedSchema = z.object({
  body: z.string().optional(),
  frames: z.array(z.string()).optional(),
  provider: z.string(),
  servedModel: z.string().nullable(),
  usage: z.object({
    inputTokens: z.number(),
    outputTokens: z.number(),
    cachedInputTokens: z.number(),
    cacheWriteInputTokens: z.number(),
    reasoningTokens: z.number(),
  }),
});

const envelopeSchema = z.object({ k: z.string(), c: z.string() });

export type CacheKeyParts = {
  orgId: string;
  projectId: string;
  format: string;
  /** The candidates the request resolved to, in order (`provider/model@providerKeyId`). */
  route: string[];
  body: unknown;
  policyVersion: string;
};

export function responseCacheKey(parts: CacheKeyParts): string {
  return sha256Hex(canonicalJson({ ...parts, v: 1 }));
}

export type ResponseCache = {
  /** Resolves undefined on a miss, and also when the store fails or is slow: never rejects. */
  get(orgId: string, key: string): Promise<CachedResponse | undefined>;
  /** Resolves whether the entry was written; a store failure or timeout is false, never a rejection. */
  set(orgId: string, key: string, value: CachedResponse, ttlSeconds: number): Promise<boolean>;
};

/** Timeout, logger and failure counter for the store calls (store-guard.ts). */
export type ResponseCacheOptions = StoreGuardOptions;

export function createResponseCache(store: Store, dataKeys: DataKeyCache, options: ResponseCacheOptions = {}): ResponseCache {
  const storeKey = (orgId: string, key: string) => `rc:${orgId}:${key}`;
  const context = (orgId: string, key: string) => ({ orgId, rowId: key, purpose: PURPOSE });
  const guard = createStoreGuard(options);
  return {
    async get(orgId, key) {
      const raw = await guard.run('get', () => store.get(storeKey(orgId, key)));
      if (!raw || raw === FAILED) return undefined;
      try {
        const envelope = envelopeSchema.parse(JSON.parse(raw));
        const dataKey = await dataKeys.byId(orgId, envelope.k);
        if (!dataKey) return undefined;
        const plain = decryptSecret(dataKey.key, Buffer.from(envelope.c, 'base64'), context(orgId, key));
        return cachedSchema.parse(JSON.parse(plain));
      } catch {
        // Undecryptable or malformed (key rotated, tampered, old format): a miss, never an error.
        return undefined;
      }
    },
    async set(orgId, key, value, ttlSeconds) {
      const written = await guard.run('set', async () => {
        const dataKey = await dataKeys.active(orgId);
        if (!dataKey) return false;
        const sealed = encryptSecret(dataKey.key, JSON.stringify(value), context(orgId, key));
        await store.set(storeKey(orgId, key), JSON.stringify({ k: dataKey.id, c: sealed.toString('base64') }), {
          ttlMs: ttlSeconds * 1000,
        });
        return true;
      });
      return written === true;
    },
  };
}
