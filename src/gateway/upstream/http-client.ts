/**
 * The one HTTP client for calls to LLM providers. Design points, each a security or latency
 * requirement:
 * - One undici Agent with keep-alive: connections are reused across requests (and tenants; they
 *   carry no state beyond TLS), so the gateway adds no handshake to a warm provider.
 * - SSRF: the URL is validated, then the connector re-checks every resolved and connected address
 *   (connector.ts, guarded-lookup.ts). The request is built from the validated URL object, never
 *   by re-parsing the string.
 * - Redirects are never followed: a 3xx is returned to the caller as-is. Following one would let
 *   any public server bounce the gateway (with the tenant's API key attached) to an internal
 *   address, and forwarding credentials cross-origin is a leak of its own.
 * - Timeouts are ours, not undici's (its headers/body timeouts are disabled): one deadline covers
 *   connect, headers and the whole body, plus an optional first-byte timeout. undici's 300 s
 *   defaults would cut off legitimate long reasoning calls and stalls would be invisible under
 *   a larger deadline.
 * - The caller's AbortSignal tears down the upstream request (client gone: stop paying).
 *
 * Response headers are a WHATWG `Headers`, which is what ProviderAdapter.errorInfo takes.
 * The caller must consume or cancel every response body; until then the connection stays
 * busy (the deadline releases it in the worst case).
 */
import { Agent, type Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { UpstreamRequest } from '../../providers/types.js';
import { createGuardedConnector } from './connector.js';
import { startCall } from './call-deadline.js';
import { UpstreamNetworkError } from './errors.js';
import { createGuardedLookup, type Resolver } from './guarded-lookup.js';
import { createUpstreamBody, type UpstreamBody } from './response-body.js';
import { UnsafeUpstreamUrlError, validateProviderBaseUrl, type SsrfPolicy } from './ssrf.js';
import { withTraceContext } from '../../observability/spans.js';

export type { UpstreamBody } from './response-body.js';

export type UpstreamResponse = { status: number; headers: Headers; body: UpstreamBody };

export type SendOptions = {
  /** The inbound client's signal: when it aborts, so does the upstream request. */
  signal?: AbortSignal;
  /** Overall deadline from send() to the end of the body, connect included. */
  timeoutMs: number;
  /** Longest wait for the response headers. */
  firstByteTimeoutMs?: number;
};

export type UpstreamClient = {
  send(request: UpstreamRequest, options: SendOptions): Promise<UpstreamResponse>;
  /** Waits for in-flight requests, then closes every connection. */
  close(): Promise<void>;
};

export type UpstreamClientOptions = {
  allowPrivate: boolean;
  connectTimeoutMs?: number;
  /** Unlimited by default: a queued request would spend its deadline waiting for a socket. */
  maxConnectionsPerOrigin?: number;
  /** Cap for text()/json() reads; streamed iteration is bounded by the deadline instead. */
  maxResponseBytes?: number;
  /** DNS resolver for the guarded lookup; the system resolver by default. For tests. */
  resolver?: Resolver;
};

const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
// Below the 5 s idle timeout of common servers (Node, uvicorn/vLLM): reusing a connection the
// server is closing would fail a POST with ECONNRESET. Servers' Keep-Alive hints can raise it.
const KEEP_ALIVE_TIMEOUT_MS = 4_000;

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  return headers;
}

// setTimeout fires after 1 ms (with only a warning) for delays it cannot represent, which would
// turn a configuration typo into every request timing out.
const MAX_TIMER_MS = 2 ** 31 - 1;
function assertTimeout(name: string, value: number): void {
  if (!(value > 0 && value <= MAX_TIMER_MS)) throw new RangeError(`${name} must be between 1 and ${MAX_TIMER_MS} ms, got ${value}`);
}

function contentLength(headers: Headers): number | undefined {
  const value = headers.get('content-length');
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const policy: SsrfPolicy = { allowPrivate: options.allowPrivate };
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const agent = new Agent({
    connect: createGuardedConnector(policy, {
      lookup: createGuardedLookup(policy, options.resolver),
      connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    }),
    connections: options.maxConnectionsPerOrigin ?? null,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    headersTimeout: 0,
    bodyTimeout: 0,
  });

  async function send(request: UpstreamRequest, sendOptions: SendOptions): Promise<UpstreamResponse> {
    let url: URL;
    try {
      url = validateProviderBaseUrl(request.url, policy);
    } catch (error) {
      if (error instanceof UnsafeUpstreamUrlError) {
        throw new UpstreamNetworkError('refused-address', error.host, error.message, { cause: error });
      }
      throw error;
    }
    const host = url.host;
    assertTimeout('timeoutMs', sendOptions.timeoutMs);
    if (sendOptions.firstByteTimeoutMs !== undefined) assertTimeout('firstByteTimeoutMs', sendOptions.firstByteTimeoutMs);
    if (sendOptions.signal?.aborted === true) {
      throw new UpstreamNetworkError('aborted', host, `Request to ${host} was cancelled`, { cause: sendOptions.signal.reason });
    }

    const call = startCall(host, sendOptions);
    let response: Dispatcher.ResponseData;
    try {
      response = await agent.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        // traceparent of the active attempt span when tracing is on, so the provider's trace joins ours.
        headers: withTraceContext(request.headers),
        body: request.body,
        signal: call.signal,
      });
    } catch (error) {
      call.settle();
      throw call.errorFor(error);
    }
    call.headersArrived();
    const headers = toHeaders(response.headers);
    return {
      status: response.statusCode,
      headers,
      body: createUpstreamBody(response.body, {
        host,
        maxBytes: maxResponseBytes,
        declaredLength: contentLength(headers),
        mapError: (error) => call.errorFor(error),
        onSettled: () => call.settle(),
      }),
    };
  }

  return {
    send,
    close: () => agent.close(),
  };
}
