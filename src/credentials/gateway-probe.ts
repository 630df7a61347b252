/**
 * One minimal chat completion through the gateway, as an application would send it, and what
 * the caller may be told about it: the status, the latency and the gateway's own error message.
 * Never headers (they would say nothing useful and could carry more than intended) and never the
 * key the request was made with.
 */
import { HttpError } from '../http/errors.js';
import { scrubSecrets } from '../logging/secret-registry.js';

/** Longer than the gateway needs for one tiny completion with its retries; shorter than the key lives. */
export const PROBE_TIMEOUT_MS = 60_000;
const MAX_ERROR_MESSAGE = 500;

export type ProbeResult = { ok: boolean; status: number; latencyMs: number; error?: { code: string | null; message: string } };

const UNAVAILABLE =
  'The gateway is not reachable from this api process, so a connection cannot be tested here. Run the api together with the gateway (portcullis start), or set GATEWAY_INTERNAL_URL.';

/** `cause`, when the gateway was configured but the connection failed, is for the operator's log. */
export const gatewayUnavailable = (cause?: unknown) => new HttpError(503, 'api_error', 'gateway_unavailable', UNAVAILABLE, { cause });

function errorOf(body: unknown, status: number): { code: string | null; message: string } {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const fields = typeof error === 'object' && error !== null ? (error as { message?: unknown; code?: unknown }) : {};
  const message = typeof fields.message === 'string' ? fields.message : `The gateway answered with status ${status}.`;
  return {
    code: typeof fields.code === 'string' ? fields.code.slice(0, 100) : null,
    // The gateway already keeps upstream secrets out of its messages; scrubbing again costs nothing.
    message: scrubSecrets(message).slice(0, MAX_ERROR_MESSAGE),
  };
}

/**
 * Sends `ping` with `max_tokens: 1`, bypassing the response cache (a cached answer would prove
 * nothing about the key). An unreachable gateway is a 503 for the caller; a timeout is a failed test.
 */
export async function probeGateway(
  gatewayUrl: string,
  apiKey: string,
  model: string,
  requestId: string | null,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let response: Response;
  try {
    response = await fetch(`${gatewayUrl.replace(/\/+$/, '')}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${apiKey}`,
        'content-type': 'application/json',
        'cache-control': 'no-store',
        // The gateway's log lines for this request carry the api request's id.
        ...(requestId === null ? {} : { 'x-request-id': requestId }),
      },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1, stream: false }),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError')
      return {
        ok: false,
        status: 504,
        latencyMs: elapsed(),
        error: { code: 'gateway_timeout', message: `The gateway did not answer within ${timeoutMs / 1000} s.` },
      };
    throw gatewayUnavailable(error);
  }
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    body = undefined; // not JSON: the status says enough
  }
  const latencyMs = elapsed();
  if (response.ok) return { ok: true, status: response.status, latencyMs };
  return { ok: false, status: response.status, latencyMs, error: errorOf(body, response.status) };
}
