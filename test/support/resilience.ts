/**
 * Helpers for the gateway resilience tests (test/gateway-resilience.test.ts): settings changes that
 * wait until the gateway has dropped its cached project context, raw HTTP calls, and polling of
 * the request_logs / request_bodies tables filled by the batched log writer.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { stringify } from 'yaml';
import { systemActor } from '../../src/audit/context.js';
import { applyBootstrap } from '../../src/bootstrap/apply.js';
import { parseBootstrapText } from '../../src/bootstrap/document.js';
import { projects, providerKeys, requestBodies, requestLogs } from '../../src/db/schema/index.js';
import type { GatewayFixture } from './gateway.js';

export type LogRow = typeof requestLogs.$inferSelect;
export type BodyRow = typeof requestBodies.$inferSelect;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined; fails after `timeoutMs` with `what`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(25);
  }
}

/**
 * Runs `change` (which must publish `org.changed` for the fixture's org, as fixture.bootstrap
 * does) and resolves once this process has delivered that event, i.e. once the gateway's cached
 * project context and provider secrets are gone. With the in-memory bus delivery is a microtask
 * away; through Redis it is a round trip, and a request sent before it arrives would still see
 * the old settings.
 */
export async function afterInvalidation<T>(fixture: GatewayFixture, change: () => Promise<T>): Promise<T> {
  let delivered!: () => void;
  const seen = new Promise<void>((resolve) => (delivered = resolve));
  const unsubscribe = fixture.server.runtime.bus.subscribe((event) => {
    if (event.type === 'org.changed' && event.orgId === fixture.orgId) delivered();
  });
  try {
    const result = await change();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      seen,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('org.changed was never delivered')), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));
    return result;
  } finally {
    unsubscribe();
  }
}

/** fixture.bootstrap(projectSettings, orgSettings), then waits for the invalidation; returns the new API key. */
export async function applySettings(
  fixture: GatewayFixture,
  projectSettings?: Record<string, unknown>,
  orgSettings?: Record<string, unknown>,
): Promise<string> {
  const [key] = await afterInvalidation(fixture, () => fixture.bootstrap(projectSettings, orgSettings));
  if (!key) throw new Error('bootstrap created no API key');
  return key;
}

/**
 * Applies a bootstrap document of our own for the fixture's org (extra provider keys, other base
 * URLs), the way test/support/gateway.ts applies its own, and waits for the invalidation.
 */
export async function applyOrgDocument(fixture: GatewayFixture, org: Record<string, unknown>): Promise<void> {
  const { runtime } = fixture.server;
  await afterInvalidation(fixture, async () => {
    await applyBootstrap(
      parseBootstrapText(stringify({ orgs: [{ name: fixture.orgName, plan: 'enterprise', ...org }] }), 'resilience.yaml'),
      {
        db: runtime.apiDb,
        keyring: runtime.keyring,
        ctx: { actor: systemActor('cli', 'test'), requestId: null },
      },
    );
    await runtime.bus.publish({ type: 'org.changed', orgId: fixture.orgId });
  });
}

export type RawResponse = { status: number; headers: Headers; json: unknown; text: string };

/** POST to the gateway without the SDK (errors, malformed bodies, chosen request ids). */
export async function rawPost(
  fixture: GatewayFixture,
  path: string,
  body: unknown,
  options: { apiKey?: string | null; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<RawResponse> {
  const apiKey = options.apiKey === undefined ? fixture.apiKey : options.apiKey;
  const response = await fetch(`${fixture.gatewayUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(apiKey !== null ? { authorization: `Bearer ${apiKey}` } : {}),
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** `{ error: { code, type, message } }` of an OpenAI-shaped error body, or undefined. */
export function errorOf(json: unknown): { code?: string; type?: string; message?: string } | undefined {
  if (typeof json !== 'object' || json === null || !('error' in json)) return undefined;
  const error: unknown = json.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const field = (name: string) => {
    const value: unknown = (error as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  return { code: field('code'), type: field('type'), message: field('message') };
}

/** Every request_logs row of the fixture's org, read as the api role (which may SELECT them). */
export function logRows(fixture: GatewayFixture): Promise<LogRow[]> {
  return fixture.server.runtime.apiDb.withTenant(fixture.orgId, (tx) =>
    tx.select().from(requestLogs).where(eq(requestLogs.orgId, fixture.orgId)),
  );
}

export function logRowsOfKey(fixture: GatewayFixture, apiKeyId: string): Promise<LogRow[]> {
  return fixture.server.runtime.apiDb.withTenant(fixture.orgId, (tx) =>
    tx
      .select()
      .from(requestLogs)
      .where(and(eq(requestLogs.orgId, fixture.orgId), eq(requestLogs.apiKeyId, apiKeyId))),
  );
}

export function logRowsWithIds(fixture: GatewayFixture, requestIds: string[]): Promise<LogRow[]> {
  return fixture.server.runtime.apiDb.withTenant(fixture.orgId, (tx) =>
    tx
      .select()
      .from(requestLogs)
      .where(and(eq(requestLogs.orgId, fixture.orgId), inArray(requestLogs.requestId, requestIds))),
  );
}

/** Rows with these request ids in ANY org: read through the runtime's own (superuser) connection, which RLS does not filter. */
export function logRowsAnyOrg(fixture: GatewayFixture, requestIds: string[]): Promise<LogRow[]> {
  return fixture.server.runtime.database.db.select().from(requestLogs).where(inArray(requestLogs.requestId, requestIds));
}

/** Waits until the batched writer has written a row for the request id; returns it. */
export async function waitForLog(fixture: GatewayFixture, requestId: string): Promise<LogRow> {
  return eventually(`the request log of ${requestId}`, async () => (await logRowsWithIds(fixture, [requestId]))[0]);
}

/** Waits until rows exist for every request id; returns them. */
export async function waitForLogs(fixture: GatewayFixture, requestIds: string[]): Promise<LogRow[]> {
  return eventually(`request logs for ${requestIds.length} requests`, async () => {
    const rows = await logRowsWithIds(fixture, requestIds);
    const seen = new Set(rows.map((r) => r.requestId));
    return requestIds.every((id) => seen.has(id)) ? rows : undefined;
  });
}

export function bodyRowsOf(fixture: GatewayFixture, requestLogId: string): Promise<BodyRow[]> {
  return fixture.server.runtime.apiDb.withTenant(fixture.orgId, (tx) =>
    tx.select().from(requestBodies).where(eq(requestBodies.requestLogId, requestLogId)),
  );
}

/** The fixture project's id and the id of the org-level provider key of a provider (label = provider id). */
export async function projectAndKeyIds(fixture: GatewayFixture, provider: string): Promise<{ projectId: string; providerKeyId: string }> {
  return fixture.server.runtime.apiDb.withTenant(fixture.orgId, async (tx) => {
    const [project] = await tx.select({ id: projects.id }).from(projects).where(eq(projects.name, 'app'));
    const [key] = await tx
      .select({ id: providerKeys.id })
      .from(providerKeys)
      .where(and(eq(providerKeys.provider, provider), eq(providerKeys.label, provider)));
    if (!project || !key) throw new Error(`project app or provider key ${provider} not found`);
    return { projectId: project.id, providerKeyId: key.id };
  });
}

/** The api_keys.id of a presented key is not derivable from the token: read it from any log row it produced. */
export async function apiKeyIdOf(fixture: GatewayFixture, requestId: string): Promise<string> {
  const row = await waitForLog(fixture, requestId);
  if (!row.apiKeyId) throw new Error(`request ${requestId} was logged without an api key id`);
  return row.apiKeyId;
}
