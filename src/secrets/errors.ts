/**
 * Why a reference could not be resolved, in words that are safe to print: an HTTP status, an error
 * class name, a network error code. Never a response body or an SDK message, which may quote the
 * request (and a secret manager's request or response can carry a secret).
 */
export class SecretResolutionError extends Error {
  constructor(
    readonly reference: string,
    readonly reason: string,
  ) {
    super(`cannot resolve ${reference}: ${reason}`);
    this.name = 'SecretResolutionError';
  }
}

/** A failure of our own making (bad field, wrong shape) whose message is already safe. */
export class SafeReason extends Error {
  override name = 'SafeReason';
}

const STATUS_WORDS: Record<number, string> = {
  400: 'bad request',
  401: 'authentication failed',
  403: 'permission denied',
  404: 'not found',
  429: 'throttled',
};

export function describeStatus(status: number): string {
  return `${STATUS_WORDS[status] ?? (status >= 500 ? 'server error' : 'refused')} (HTTP ${status})`;
}

const IDENTIFIER = /^[A-Za-z][A-Za-z0-9_.]{0,63}$/;

function numberAt(value: unknown, ...path: string[]): number | undefined {
  let current: unknown = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return typeof current === 'number' ? current : undefined;
}

function stringAt(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === 'string' && IDENTIFIER.test(found) ? found : undefined;
}

// gRPC status codes as Google's clients report them (also over the REST fallback).
const GRPC_CODES: Record<number, string> = {
  3: 'invalid argument',
  5: 'not found',
  7: 'permission denied',
  14: 'unavailable',
  16: 'authentication failed',
};

export function describeFailure(error: unknown): string {
  if (error instanceof SafeReason) return error.message;
  // AWS SDK v3 ($metadata), Azure RestError (statusCode), plain fetch wrappers (status).
  const status = numberAt(error, '$metadata', 'httpStatusCode') ?? numberAt(error, 'statusCode') ?? numberAt(error, 'status');
  const name = stringAt(error, 'name');
  const grpc = numberAt(error, 'code');
  const parts: string[] = [];
  if (status !== undefined) parts.push(describeStatus(status));
  else if (grpc !== undefined && GRPC_CODES[grpc]) parts.push(`${GRPC_CODES[grpc]} (gRPC code ${grpc})`);
  if (name && name !== 'Error') parts.push(name);
  // Network failures: the code sits on the error or on its cause (fetch wraps it).
  const network = stringAt(error, 'code') ?? stringAt((error as { cause?: unknown } | null)?.cause, 'code');
  if (network && /^E[A-Z_]+$/.test(network)) parts.push(network);
  return parts.length > 0 ? parts.join(', ') : 'failed (no further detail is shown: it might contain the secret)';
}
