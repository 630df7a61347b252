/**
 * The backing store cannot serve the request (unreachable, timed out, closed, failing
 * over). Distinct from usage errors so callers such as the rate limiter can apply an
 * explicit fail-open or fail-closed policy instead of guessing from messages.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}
