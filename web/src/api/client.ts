/**
 * The dashboard's only way to the api: same-origin fetch with the session cookie and the anti-CSRF
 * header, JSON in and out, responses validated with zod, and every failure turned into an ApiError
 * whose message a person can act on.
 */
import type { z } from 'zod/mini';

/** The api refuses state-changing browser calls without it (src/identity/csrf.ts). */
const CSRF_HEADER = { 'x-portcullis-csrf': '1' } as const;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    /** HTTP status; 0 when the api could not be reached at all. */
    readonly status: number,
    message: string,
    /** The api's machine-readable code (Portcullis `error.code`, better-auth `code`), '' if none. */
    readonly code: string,
  ) {
    super(message);
  }
}

export const isUnauthorized = (error: unknown): boolean => error instanceof ApiError && error.status === 401;

type ErrorBody = { error?: { message?: unknown; code?: unknown }; message?: unknown; code?: unknown };

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** What went wrong, in words: the api's own message when it sent one (it is written for clients), else by status. */
export function messageForStatus(status: number, body: unknown): { message: string; code: string } {
  const parsed = (typeof body === 'object' && body !== null ? body : {}) as ErrorBody;
  const code = text(parsed.error?.code) ?? text(parsed.code) ?? '';
  const message = text(parsed.error?.message) ?? text(parsed.message);
  if (message !== undefined) return { message: sentence(message), code };
  if (status === 401) return { message: 'You are signed out. Sign in again to continue.', code };
  if (status === 403) return { message: 'Your role does not allow this. Ask an owner or admin of the organization.', code };
  if (status === 404) return { message: 'This was not found. It may have been deleted, or it belongs to another organization.', code };
  if (status === 429) return { message: 'Too many requests. Wait a minute, then try again.', code };
  if (status >= 500)
    return { message: `The server failed to answer (HTTP ${status}). Try again; if it persists, tell your operator.`, code };
  return { message: `The request was refused (HTTP ${status}).`, code };
}

/** better-auth's messages come without a final full stop ("Invalid email or password"). */
function sentence(message: string): string {
  return /[.!?)]$/.test(message) ? message : `${message}.`;
}

export type RequestOptions = {
  body?: unknown;
  signal?: AbortSignal;
  /** Extra request headers (e.g. `If-Match` for an optimistic-concurrency write); never a credential. */
  headers?: Readonly<Record<string, string>>;
};

async function send(method: string, path: string, options: RequestOptions): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        ...options.headers,
        ...CSRF_HEADER,
        accept: 'application/json',
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'Cannot reach the Portcullis api. Check your connection, then try again.', 'network_error');
  }
  const raw = await response.text();
  let body: unknown = undefined;
  try {
    body = raw === '' ? undefined : (JSON.parse(raw) as unknown);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const { message, code } = messageForStatus(response.status, body);
    throw new ApiError(response.status, message, code);
  }
  return body;
}

/** A call whose answer is checked against `schema`: a mismatch is a bug, reported as such rather than rendered half. */
export async function request<S extends z.ZodMiniType>(
  method: string,
  path: string,
  schema: S,
  options: RequestOptions = {},
): Promise<z.output<S>> {
  const body = await send(method, path, options);
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new ApiError(
      200,
      'The api answered in a form this dashboard does not understand. Reload the page; if it persists, the dashboard and api versions may differ.',
      'unexpected_response',
    );
  }
  return result.data;
}

/** A call whose answer is not needed (204, sign-out). */
export async function requestVoid(method: string, path: string, options: RequestOptions = {}): Promise<void> {
  await send(method, path, options);
}

/** The message to show for any error thrown while talking to the api or the browser. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return 'Something went wrong. Try again.';
}

/** Encodes one path segment (ids come from the api, but a path is never built from raw text). */
export const seg = (value: string): string => encodeURIComponent(value);
