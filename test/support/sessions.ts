/**
 * Signed-in users for tests: a user with a password (as setup or a future invitation makes
 * them), sign-in over HTTP, and a JSON client that sends the session cookie with the headers the
 * dashboard sends (Origin and the anti-CSRF header).
 */
import { randomUUID } from 'node:crypto';
import { hashPassword } from 'better-auth/crypto';
import { stringify } from 'yaml';
import { applyBootstrap } from '../../src/bootstrap/apply.js';
import { parseBootstrapText } from '../../src/bootstrap/document.js';
import { accounts, users } from '../../src/db/schema/index.js';
import type { Role } from '../../src/auth/permissions.js';
import { operatorCtx, type ApiClient, type ApiResponse } from './api.js';
import { uniqueName } from './database.js';
import type { TestServer } from './server.js';

export const TEST_PASSWORD = 'violet-harbour-lantern-91';
export const CSRF = { 'x-portcullis-csrf': '1' } as const;

/** A user with a password credential, optionally a member of an org (made through bootstrap). */
export async function createPasswordUser(
  server: TestServer,
  options: { email?: string; password?: string; org?: { name: string; role: Role } } = {},
): Promise<{ id: string; email: string; password: string }> {
  const email = options.email ?? `${uniqueName('user')}@example.test`;
  const password = options.password ?? TEST_PASSWORD;
  const hash = await hashPassword(password);
  const id = randomUUID();
  await server.runtime.apiDb.withRole(async (tx) => {
    await tx.insert(users).values({ id, email, name: 'Test User', emailVerified: true });
    await tx.insert(accounts).values({ id: randomUUID(), accountId: id, providerId: 'credential', userId: id, password: hash });
  });
  if (options.org) {
    const doc = { orgs: [{ name: options.org.name, members: [{ email, role: options.org.role }] }] };
    await applyBootstrap(parseBootstrapText(stringify(doc), 'org.yaml'), {
      db: server.runtime.apiDb,
      keyring: server.runtime.keyring,
      ctx: operatorCtx,
    });
  }
  return { id, email, password };
}

export type SignInResult = { status: number; body: unknown; setCookies: string[]; cookie: string | undefined; headers: Headers };

/** POST /api/auth/sign-in/email from the dashboard's origin; `cookie` is the `name=value` pair to send back. */
export async function signIn(
  server: { apiUrl: string },
  email: string,
  password: string,
  options: { origin: string; headers?: Record<string, string>; fetchOptions?: RequestInit },
): Promise<SignInResult> {
  const response = await fetch(`${server.apiUrl}/api/auth/sign-in/email`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: options.origin, ...CSRF, ...options.headers },
    body: JSON.stringify({ email, password }),
    ...options.fetchOptions,
  });
  const text = await response.text();
  const setCookies = response.headers.getSetCookie();
  const session = setCookies.find((c) => /^(__Secure-)?portcullis\.session_token=/.test(c));
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as unknown) : undefined,
    setCookies,
    cookie: session?.split(';', 1)[0],
    headers: response.headers,
  };
}

/** JSON calls carrying the session cookie, the Origin and (unless `csrf: false`) the anti-CSRF header. */
export function sessionClient(server: { apiUrl: string }, cookie: string, origin: string) {
  return async function call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const response = await fetch(server.apiUrl + path, {
      method,
      headers: {
        cookie,
        origin,
        ...CSRF,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const error = (parsed as { error?: ApiResponse<T>['error'] } | undefined)?.error;
    return { status: response.status, body: parsed as T, error, text, headers: response.headers };
  };
}

/** The same as `apiClient`, authenticated by a session cookie instead of a token. */
export function sessionApiClient(
  server: { apiUrl: string },
  cookie: string,
  origin: string,
  /** Sent on every call (a client address behind TRUST_PROXY, a user agent). */
  headers: Record<string, string> = {},
): ApiClient {
  const bare = sessionClient(server, cookie, origin);
  const call: typeof bare = (method, path, body, extra = {}) => bare(method, path, body, { ...headers, ...extra });
  return {
    call,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    patch: (path, body) => call('PATCH', path, body),
    put: (path, body) => call('PUT', path, body),
    delete: (path) => call('DELETE', path),
  };
}

/** A user with a password who is an owner (or the given role) of the org, signed in: their api client. */
export async function signedInMember(server: TestServer, orgName: string, role: Role = 'owner'): Promise<ApiClient> {
  const origin = new URL(server.runtime.config.publicUrl).origin;
  const user = await createPasswordUser(server, { org: { name: orgName, role } });
  const result = await signIn(server, user.email, user.password, { origin });
  if (result.cookie === undefined) throw new Error(`sign-in failed: ${result.status}`);
  return sessionApiClient(server, result.cookie, origin);
}
