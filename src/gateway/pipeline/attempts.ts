/**
 * Retries and fallback across route candidates. For each candidate in order: skip it while its
 * circuit is open; otherwise call it, retrying retryable failures (connection errors, timeouts,
 * 408/409/429/5xx) with jittered backoff that honours retry-after, up to `maxRetries`; then fall
 * back to the next candidate. A 4xx caused by the request ends everything at once (another
 * provider would refuse it too); a 401/403/404 from a provider means THAT candidate is unusable
 * (bad key, unknown model there), so it falls back without retrying.
 * Two timeouts: one per attempt (a hung provider is abandoned and the next one tried) and one for
 * the whole request: an attempt gets at most what is left of it, and a retry whose backoff would
 * outlast it is not made, so retries and fallbacks cannot multiply a client's wait.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HttpError } from '../../http/errors.js';
import type { ProviderAdapter, UpstreamErrorInfo, UpstreamTarget } from '../../providers/types.js';
import { UnsupportedFeatureError, UpstreamProtocolError } from '../../providers/types.js';
import { providerAdapter } from '../../providers/registry.js';
import type { RouteCandidate } from '../routing/resolve-route.js';
import type { GatewayServices } from '../services.js';
import { providerSecretKey } from '../context/provider-secrets.js';
import { UpstreamNetworkError } from '../upstream/errors.js';
import { DEFAULT_RETRY_POLICY, retryDelayFor, type RetryPolicy, type UpstreamFailure } from '../upstream/retry.js';
import { traceAttempt } from './step-spans.js';
import { countFallback, countUpstreamFailure } from '../../observability/upstream-metrics.js';

export type Attempt = {
  candidate: RouteCandidate;
  adapter: ProviderAdapter;
  target: UpstreamTarget;
  breakerKey: string;
  /** 1-based across the whole request: retries and fallbacks included. */
  number: number;
  /** What is left of the request's timeout: this attempt's deadline. */
  timeoutMs: number;
};

export type AttemptOutcome<T> = { kind: 'ok'; value: T } | { kind: 'failed'; failure: UpstreamFailure };

/**
 * A provider answered with a redirect. Redirects are never followed (a classic SSRF bypass), and
 * a 3xx is not an answer: this candidate fails and the next one is tried.
 */
export function redirectFailure(status: number): UpstreamErrorInfo {
  return {
    status: 502,
    type: 'api_error',
    code: 'upstream_redirect',
    message: `The provider answered with a redirect (${status}), which Portcullis does not follow.`,
    retryable: false,
  };
}

export type AttemptsResult<T> = { value: T; attempt: Attempt; attempts: number };

/**
 * The client went away: nothing to answer, stop calling providers. An HttpError (499, nginx's
 * "client closed request") so it is rendered and logged as the client's doing, not as a server
 * fault; it carries the upstream calls already made so the request log keeps them.
 */
export class ClientAbortedError extends HttpError {
  constructor(
    readonly attempts = 0,
    readonly provider: string | null = null,
  ) {
    // 499 is not in Hono's status list; nobody reads this response anyway.
    super(
      499 as ContentfulStatusCode,
      'invalid_request_error',
      'client_disconnected',
      'The client disconnected before the answer was ready.',
    );
  }
}

/** Thrown when every candidate failed; carries how many upstream calls were made. */
export class AttemptsExhaustedError extends HttpError {
  attempts = 0;
  provider: string | null = null;
}

function exhausted(
  status: ConstructorParameters<typeof HttpError>[0],
  type: string,
  code: string,
  message: string,
  headers?: Record<string, string>,
) {
  return new AttemptsExhaustedError(status, type, code, message, headers ? { headers } : {});
}

function finalError(
  last: { failure: UpstreamFailure; provider: string } | undefined,
  openCircuits: number,
  unsupported: UnsupportedFeatureError[],
): AttemptsExhaustedError {
  if (!last) {
    if (unsupported.length > 0)
      return exhausted(400, 'invalid_request_error', 'unsupported_parameter', unsupported.map((e) => e.message).join('; '));
    if (openCircuits > 0)
      return exhausted(
        503,
        'api_error',
        'upstream_unavailable',
        'Every provider for this model is temporarily unavailable (too many recent failures). Try again shortly.',
        { 'retry-after': '30' },
      );
    return exhausted(502, 'api_error', 'no_usable_provider', 'No configured provider could take this request.');
  }
  const { failure, provider } = last;
  if (failure instanceof UpstreamNetworkError) {
    if (failure.kind === 'timeout')
      return exhausted(504, 'api_error', 'upstream_timeout', `The provider ${provider} did not answer in time.`);
    if (failure.kind === 'refused-address')
      return exhausted(
        502,
        'api_error',
        'upstream_url_refused',
        // The reason names the address; API-key holders must not learn the internal network from it.
        `The base URL configured for ${provider} points to an address Portcullis does not contact (private, loopback or cloud metadata). The gateway log has the reason.`,
      );
    return exhausted(502, 'api_error', 'upstream_unreachable', `The provider ${provider} could not be reached (${failure.kind}).`);
  }
  if (failure.status === 401 || failure.status === 403)
    return exhausted(
      502,
      'api_error',
      'upstream_auth_failed',
      `The provider ${provider} rejected the configured provider key. Check the key in Portcullis.`,
    );
  if (failure.status === 404) return exhausted(404, 'not_found_error', 'model_not_found', `${provider}: ${failure.message}`);
  // An overloaded provider (Anthropic 529 overloaded_error) keeps its type: Anthropic clients
  // branch on it (Claude Code backs off differently), as they do for a mid-stream overload.
  if (failure.type === 'overloaded_error' || failure.code === 'overloaded_error')
    return exhausted(503, 'overloaded_error', 'upstream_overloaded', `The provider ${provider} is overloaded: ${failure.message}`, {
      'retry-after': '10',
    });
  if (failure.status === 429)
    return exhausted(
      429,
      'rate_limit_error',
      'upstream_rate_limited',
      `The provider ${provider} is rate limiting requests: ${failure.message}`,
      failure.retryAfterSeconds !== undefined ? { 'retry-after': String(Math.ceil(failure.retryAfterSeconds)) } : undefined,
    );
  return exhausted(502, 'api_error', failure.code || 'upstream_error', `The provider ${provider} failed: ${failure.message}`);
}

/** The request's own fault, as the provider reported it: passed to the client with the provider's status. */
function clientError(info: UpstreamErrorInfo, provider: string): HttpError {
  const status = info.status >= 400 && info.status < 500 ? (info.status as ConstructorParameters<typeof HttpError>[0]) : 400;
  return new HttpError(status, info.type || 'invalid_request_error', info.code || 'upstream_rejected', `${provider}: ${info.message}`);
}

const protocolFailure = (error: UpstreamProtocolError): UpstreamErrorInfo => ({
  status: 502,
  type: 'api_error',
  code: 'upstream_protocol_error',
  message: error.message,
  retryable: true,
});

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The upstream base URL of a candidate: its key's override or the provider's default (undefined: neither). */
export function candidateBaseUrl(candidate: Pick<RouteCandidate, 'provider' | 'providerKey'>): string | undefined {
  return (candidate.providerKey.baseUrl ?? providerAdapter(candidate.provider).defaultBaseUrl)?.replace(/\/+$/, '');
}

/** One circuit per provider key and endpoint: a bad key or a dead base URL does not trip the others. */
export function breakerKeyFor(candidate: Pick<RouteCandidate, 'provider' | 'providerKey'>): string {
  return `${candidate.provider}|${candidateBaseUrl(candidate) ?? ''}|${candidate.providerKey.id}`;
}

export type UpstreamTimeouts = { attemptMs: number; requestMs: number };

/** The project's overrides, else the gateway's defaults (UPSTREAM_TIMEOUT_MS, REQUEST_TIMEOUT_MS). */
export function upstreamTimeouts(
  settings: { timeoutMs: number | null; requestTimeoutMs: number | null },
  defaults: { upstreamTimeoutMs: number; requestTimeoutMs: number },
): UpstreamTimeouts {
  return { attemptMs: settings.timeoutMs ?? defaults.upstreamTimeoutMs, requestMs: settings.requestTimeoutMs ?? defaults.requestTimeoutMs };
}

export async function runAttempts<T>(options: {
  candidates: RouteCandidate[];
  services: GatewayServices;
  orgId: string;
  maxRetries: number;
  /** Bounds: each attempt's, and the whole request's across retries, backoff and fallbacks. */
  timeouts: UpstreamTimeouts;
  signal?: AbortSignal;
  policy?: RetryPolicy;
  execute: (attempt: Attempt) => Promise<AttemptOutcome<T>>;
}): Promise<AttemptsResult<T>> {
  const { services, signal } = options;
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const deadline = performance.now() + options.timeouts.requestMs;
  const remainingMs = () => Math.floor(deadline - performance.now());
  let number = 0;
  let last: { failure: UpstreamFailure; provider: string } | undefined;
  let openCircuits = 0;
  const unsupported: UnsupportedFeatureError[] = [];

  const aborted = (provider: string | null) => new ClientAbortedError(number, provider);
  candidates: for (const candidate of options.candidates) {
    const adapter = providerAdapter(candidate.provider);
    const baseUrl = candidateBaseUrl(candidate);
    if (!baseUrl) continue; // a key for a provider without a public default must carry a base URL
    const breakerKey = breakerKeyFor(candidate);
    for (let retry = 0; retry <= options.maxRetries; retry++) {
      if (signal?.aborted) throw aborted(last?.provider ?? null);
      const timeoutMs = Math.min(options.timeouts.attemptMs, remainingMs());
      if (timeoutMs <= 0) {
        last ??= {
          failure: new UpstreamNetworkError(
            'timeout',
            new URL(baseUrl).host,
            `no time left of the request's ${options.timeouts.requestMs} ms`,
          ),
          provider: candidate.provider,
        };
        break candidates;
      }
      if (!services.breakers.canAttempt(breakerKey)) {
        openCircuits += 1;
        break;
      }
      const apiKey = await services.providerSecrets.get(providerSecretKey(options.orgId, candidate.providerKey.id));
      const target: UpstreamTarget = { baseUrl, apiKey, model: candidate.model, options: candidate.providerKey.options };
      // The first call of a candidate after an earlier one failed is a fallback.
      if (retry === 0 && last) countFallback(last.provider, candidate.provider);
      number += 1;
      let outcome: AttemptOutcome<T>;
      try {
        outcome = await traceAttempt({ candidate, number, fallback: candidate !== options.candidates[0] }, () =>
          options.execute({ candidate, adapter, target, breakerKey, number, timeoutMs }),
        );
      } catch (error) {
        if (error instanceof UnsupportedFeatureError) {
          // This provider cannot express the request; another candidate might. Not a provider failure.
          number -= 1;
          services.breakers.recordSuccess(breakerKey);
          unsupported.push(error);
          break;
        }
        if (error instanceof UpstreamNetworkError && error.kind === 'aborted') throw aborted(candidate.provider);
        if (error instanceof UpstreamNetworkError && error.kind === 'refused-address')
          services.logger.warn(
            { orgId: options.orgId, provider: candidate.provider, providerKeyId: candidate.providerKey.id, reason: error.message },
            'provider base URL refused by the SSRF policy',
          );
        if (error instanceof UpstreamNetworkError) outcome = { kind: 'failed', failure: error };
        else if (error instanceof UpstreamProtocolError) outcome = { kind: 'failed', failure: protocolFailure(error) };
        else throw error;
      }
      if (outcome.kind === 'ok') {
        services.breakers.recordSuccess(breakerKey);
        return { value: outcome.value, attempt: { candidate, adapter, target, breakerKey, number, timeoutMs }, attempts: number };
      }
      const failure = outcome.failure;
      services.breakers.recordFailure(breakerKey, failure);
      last = { failure, provider: candidate.provider };
      countUpstreamFailure(candidate.provider, failure);
      if (!(failure instanceof UpstreamNetworkError)) {
        // This candidate is unusable (bad key, model unknown there, a redirect we will not follow): next one.
        if (failure.status === 401 || failure.status === 403 || failure.status === 404 || failure.code === 'upstream_redirect') break;
        if (
          !failure.retryable &&
          failure.status >= 400 &&
          failure.status < 500 &&
          failure.status !== 408 &&
          failure.status !== 409 &&
          failure.status !== 429
        ) {
          const error = clientError(failure, candidate.provider);
          throw Object.assign(error, { attempts: number, provider: candidate.provider });
        }
      }
      if (retry === options.maxRetries) break;
      const decision = retryDelayFor(failure, retry + 1, policy);
      if (!decision.retry) break;
      // A backoff that would outlast the request is not waited: the next candidate, if any, may still answer in time.
      if (decision.delayMs >= remainingMs()) break;
      try {
        await sleep(decision.delayMs, signal);
      } catch {
        throw aborted(candidate.provider);
      }
    }
  }
  const error = finalError(last, openCircuits, unsupported);
  error.attempts = number;
  error.provider = last?.provider ?? null;
  throw error;
}
