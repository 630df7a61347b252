/**
 * Per-org concurrency limit (`maxConcurrentRequests` in the org's limits): a semaphore in the
 * shared Store (Redis across replicas, in-process on the embedded default) with one expiring
 * lease per request in progress. Taken right after authentication, given back when the response
 * is over (stream end, client gone, error: http/response-done.ts).
 *
 * Leases last LEASE_TTL_MS and are renewed every LEASE_RENEW_MS while the response lasts, so a
 * stream of any length keeps its place, and a replica that crashes holding leases frees them
 * within LEASE_TTL_MS. A limit lowered below the leases held refuses new requests until enough
 * of them end; requests in progress are never cut.
 */
import { randomUUID } from 'node:crypto';
import { HttpError } from '../../http/errors.js';
import type { Store } from '../../store/store.js';

export const LEASE_TTL_MS = 60_000;
export const LEASE_RENEW_MS = 20_000;
/** Places free as soon as a request of the org finishes; there is no reset time to point at. */
export const CONCURRENCY_RETRY_AFTER_SECONDS = 1;

export type OrgConcurrencyOutcome =
  | { kind: 'unlimited' }
  | { kind: 'held'; release: () => void }
  | { kind: 'refused'; error: HttpError }
  /** The store is unreachable and the org prefers availability (limitsFailOpen). */
  | { kind: 'failed_open'; error: unknown };

const semaphoreKey = (orgId: string) => `concurrency:org:${orgId}`;

/**
 * Takes a place for one request of the org, or says why not. Fails closed like the usage limits
 * (503) when the store is unreachable, unless the org chose to fail open.
 */
export async function acquireOrgConcurrency(
  store: Store,
  org: { orgId: string; maxConcurrentRequests: number | null; failOpen: boolean },
  onRenewError: (error: unknown) => void,
): Promise<OrgConcurrencyOutcome> {
  const limit = org.maxConcurrentRequests;
  if (limit === null) return { kind: 'unlimited' };
  const key = semaphoreKey(org.orgId);
  // Random, never the request id: a client may choose its request id, and two requests sharing
  // one would share a lease.
  const leaseId = randomUUID();
  let acquired: boolean;
  try {
    acquired = await store.acquireLease(key, leaseId, { limit, ttlMs: LEASE_TTL_MS });
  } catch (error) {
    if (org.failOpen) return { kind: 'failed_open', error };
    return {
      kind: 'refused',
      error: new HttpError(503, 'api_error', 'limits_store_unavailable', 'Concurrency limits cannot be checked right now; retry shortly.', {
        headers: { 'retry-after': '5' },
        cause: error,
      }),
    };
  }
  if (!acquired) {
    return {
      kind: 'refused',
      error: new HttpError(
        429,
        'rate_limit_error',
        'concurrency_limit_exceeded',
        `This organization already has ${limit} ${limit === 1 ? 'request' : 'requests'} in progress, its limit; retry when one finishes.`,
        { headers: { 'retry-after': String(CONCURRENCY_RETRY_AFTER_SECONDS) } },
      ),
    };
  }
  // Re-acquiring a held lease renews it whatever the count (Store.acquireLease).
  const renewal = setInterval(() => {
    store.acquireLease(key, leaseId, { limit, ttlMs: LEASE_TTL_MS }).catch(onRenewError);
  }, LEASE_RENEW_MS);
  renewal.unref();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    clearInterval(renewal);
    // A failed release leaves the lease to expire on its own within LEASE_TTL_MS.
    store.releaseLease(key, leaseId).catch(onRenewError);
  };
  return { kind: 'held', release };
}
