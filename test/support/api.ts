/**
 * Management-api helpers: an org made through bootstrap, admin tokens minted the way the
 * operator does (`portcullis tokens create`), and a small JSON client.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { stringify } from 'yaml';
import type { ApiRoute } from '../../src/api/registry.js';
import { managementRoutes } from '../../src/api/routes/index.js';
import { createAdminTokenAuthenticator } from '../../src/auth/admin-token-authenticator.js';
import { operatorCreateToken } from '../../src/admin/credential-operations.js';
import { applyBootstrap } from '../../src/bootstrap/apply.js';
import { parseBootstrapText } from '../../src/bootstrap/document.js';
import { systemActor } from '../../src/audit/context.js';
import type { Role } from '../../src/auth/permissions.js';
import type { ApiKeyView } from '../../src/credentials/api-key-view.js';
import type { AdminTokenView } from '../../src/credentials/admin-tokens.js';
import type { BusEvent } from '../../src/events/event-bus.js';
import { createApiApp } from '../../src/api/app.js';
import type { ManagementOptions } from '../../src/api/management.js';
import { startHttpServer } from '../../src/http/serve.js';
import { members } from '../../src/db/schema/index.js';
import { findOrganizationId } from '../../src/tenancy/organizations.js';
import { findProjectByName } from '../../src/tenancy/projects.js';
import { uniqueName } from './database.js';
import type { TestServer } from './server.js';

export const operatorCtx = { actor: systemActor('cli', 'test-host'), requestId: null };

export type TestOrg = { orgId: string; orgName: string; projectId: string; testProjectId: string; memberId: string };

/** An org with one owner member, a live project `app` and a test project `sandbox`, no keys. */
export async function createOrg(server: TestServer, prefix = 'api'): Promise<TestOrg> {
  const orgName = uniqueName(prefix);
  const doc = {
    orgs: [
      {
        name: orgName,
        members: [{ email: `owner@${orgName}.test`, role: 'owner' }],
        projects: [{ name: 'app' }, { name: 'sandbox', mode: 'test' }],
      },
    ],
  };
  await applyBootstrap(parseBootstrapText(stringify(doc), 'org.yaml'), {
    db: server.runtime.apiDb,
    keyring: server.runtime.keyring,
    ctx: operatorCtx,
  });
  const orgId = (await findOrganizationId(server.runtime.apiDb, orgName))!;
  const [app, sandbox, member] = await server.runtime.apiDb.withTenant(orgId, async (tx) => [
    await findProjectByName(tx, orgId, 'app'),
    await findProjectByName(tx, orgId, 'sandbox'),
    (await tx.select({ id: members.id }).from(members))[0],
  ]);
  return { orgId, orgName, projectId: app!.id, testProjectId: sandbox!.id, memberId: member!.id };
}

/** An admin token of this org with this role, created by the operator (no creator role applies). */
export async function mintToken(server: TestServer, org: TestOrg, role: Role, name = uniqueName(role)): Promise<string> {
  const deps = { db: server.runtime.apiDb, bus: server.runtime.bus, logger: server.runtime.logger };
  const issued = await operatorCreateToken(deps, { org: org.orgName, name, role }, operatorCtx);
  return issued.token;
}

export type ApiError = { message: string; type: string; code: string };

/** `body` is typed by the caller (the test asserts the status first); `error` is the error envelope, if any. */
export type ApiResponse<T> = { status: number; body: T; error: ApiError | undefined; text: string; headers: Headers };

export type ApiClient = {
  call<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  get<T = unknown>(path: string): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, body?: unknown): Promise<ApiResponse<T>>;
  patch<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>>;
  put<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>>;
  delete<T = unknown>(path: string): Promise<ApiResponse<T>>;
};

/**
 * JSON calls to the api with `Authorization: Bearer <token>` (no header when token is undefined).
 * `transcript`, when given, receives every response (headers and body) in order.
 */
export function apiClient(server: { apiUrl: string }, token: string | undefined, transcript?: string[]): ApiClient {
  async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const response = await fetch(server.apiUrl + path, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    transcript?.push(`${JSON.stringify([...response.headers])}\n${text}`);
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    const error = (parsed as { error?: ApiError } | undefined)?.error;
    return { status: response.status, body: parsed as T, error, text, headers: response.headers };
  }
  return {
    call,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body ?? {}),
    patch: (path, body) => call('PATCH', path, body),
    put: (path, body) => call('PUT', path, body),
    delete: (path) => call('DELETE', path),
  };
}

export type IssuedKeyBody = { apiKey: ApiKeyView; key: string };
export type KeyBody = { apiKey: ApiKeyView };
export type KeyListBody = { apiKeys: ApiKeyView[] };
export type IssuedTokenBody = { adminToken: AdminTokenView; token: string };

/** GET /v1/models on the gateway with this key: 200 when the gateway accepts it. */
export async function gatewayStatus(server: TestServer, key: string): Promise<number> {
  const response = await fetch(`${server.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
  await response.arrayBuffer();
  return response.status;
}

/** Resolves once this process's bus has delivered a matching event (immediate in memory, a hop over Redis). */
export function nextBusEvent(server: TestServer, matches: (event: BusEvent) => boolean, timeoutMs = 5_000): Promise<BusEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error('bus event not delivered in time'));
    }, timeoutMs);
    const unsubscribe = server.runtime.bus.subscribe((event) => {
      if (!matches(event)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(event);
    });
  });
}

/** Polls until `probe` returns a value other than undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Another api replica on the same database and bus (its own caches, its own port): what a second
 * `portcullis api` process would be. Optionally with management options (live usage counters).
 */
export async function startApiReplica(
  server: TestServer,
  options: ManagementOptions = {},
): Promise<{ apiUrl: string; close(): Promise<void> }> {
  const running = await startHttpServer({
    app: createApiApp(server.runtime, options),
    host: '127.0.0.1',
    port: 0,
    logger: server.runtime.logger.child({ service: 'api-replica' }),
  });
  return { apiUrl: running.url, close: () => running.close(1_000) };
}

/** The registered management routes, as the api mounts them (for table-driven tests). */
export function registeredRoutes(server: TestServer): ApiRoute[] {
  return managementRoutes({
    db: server.runtime.apiDb,
    bus: server.runtime.bus,
    logger: server.runtime.logger,
    authenticator: createAdminTokenAuthenticator({ db: server.runtime.apiDb, pepper: randomBytes(32), logger: server.runtime.logger }),
    keyring: server.runtime.keyring,
    liveUsage: undefined,
    orgDeletionGraceDays: server.runtime.config.orgDeletionGraceDays,
  });
}

/** A route's path with its parameters filled in; ids not given are random (they exist nowhere). */
export function fillPath(route: ApiRoute, ids: Partial<Record<string, string>>): string {
  return route.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => ids[name] ?? randomUUID());
}

/** Adds an existing user (by email) to an org, creating the org if needed, as the operator's bootstrap does. */
export async function joinOrg(server: TestServer, email: string, orgName: string, role: Role): Promise<void> {
  const doc = { orgs: [{ name: orgName, members: [{ email, role }] }] };
  await applyBootstrap(parseBootstrapText(stringify(doc), 'org.yaml'), {
    db: server.runtime.apiDb,
    keyring: server.runtime.keyring,
    ctx: operatorCtx,
  });
}

/** The member id of a user in an org. */
export async function memberIdOf(server: TestServer, orgId: string, userId: string): Promise<string> {
  const [row] = await server.runtime.apiDb.withTenant(orgId, (tx) =>
    tx
      .select({ id: members.id })
      .from(members)
      .where(and(eq(members.orgId, orgId), eq(members.userId, userId))),
  );
  if (!row) throw new Error(`user ${userId} is not a member of org ${orgId}`);
  return row.id;
}
