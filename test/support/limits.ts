/**
 * Helpers for the gateway limits tests (test/gateway-limits.test.ts): API-key rows changed the way
 * the management api changes them (update as the api role, then `api_key.changed` on the bus),
 * raw HTTP calls to any replica, request estimates computed the way enforce-limits computes them,
 * throwaway redis-server processes a test may kill, and a local budget-webhook receiver.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { parseCredential } from '../../src/crypto/api-key.js';
import { apiKeys, auditEvents, requestLogs } from '../../src/db/schema/index.js';
import type { BusEvent } from '../../src/events/event-bus.js';
import { unusedPort } from '../../src/limits/test-support.js';
import { estimateMaxCostMicroUsd, computeCostMicroUsd } from '../../src/providers/catalog/cost.js';
import { findModel } from '../../src/providers/catalog/catalog.js';
import type { ProviderId } from '../../src/providers/ids.js';
import type { GatewayFixture } from './gateway.js';
import type { LogRow, RawResponse } from './resilience.js';
import type { TestServer } from './server.js';

export const redisUrlUnderTest = process.env.TEST_REDIS_URL;
export const hasRedisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;

// ------------------------------------------------------------------------------------------------
// API keys

/** The api_keys.id of a key, found by the lookup id inside the token (read as the api role). */
export async function keyIdOfToken(fixture: GatewayFixture, token: string): Promise<string> {
  const parsed = parseCredential(token);
  if (!parsed) throw new Error('not an API key');
  const [row] = await fixture.server.runtime.apiDb.withTenant(fixture.orgId, (tx) =>
    tx.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.lookupId, parsed.lookupId)),
  );
  if (!row) throw new Error(`no api_keys row for lookup id ${parsed.lookupId}`);
  return row.id;
}

/**
 * Publishes an event on the first server's bus and resolves once every listed server has
 * delivered it (over Redis that is a round trip per replica).
 */
export async function publishAndAwait(servers: TestServer[], event: BusEvent): Promise<void> {
  const unsubscribes: (() => void)[] = [];
  const delivered = servers.map(
    (server) =>
      new Promise<void>((resolve) => {
        unsubscribes.push(
          server.runtime.bus.subscribe((seen) => {
            if (JSON.stringify(seen) === JSON.stringify(event)) resolve();
          }),
        );
      }),
  );
  let timer: NodeJS.Timeout | undefined;
  try {
    await servers[0]!.runtime.bus.publish(event);
    await Promise.race([
      Promise.all(delivered),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${event.type} was not delivered to every replica`)), 10_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    for (const unsubscribe of unsubscribes) unsubscribe();
  }
}

export type ApiKeyPatch = Partial<
  Pick<typeof apiKeys.$inferInsert, 'limits' | 'allowedModels' | 'ipAllowlist' | 'expiresAt' | 'revokedAt'>
>;

/**
 * What the management api does for a key edit: update the row as the api role, then announce
 * `api_key.changed` so every replica drops the cached key. Waits for delivery on `servers`
 * (default: the fixture's own gateway). Returns the key's id.
 */
export async function updateApiKey(
  fixture: GatewayFixture,
  token: string,
  patch: ApiKeyPatch,
  servers: TestServer[] = [fixture.server],
): Promise<string> {
  const id = await keyIdOfToken(fixture, token);
  await fixture.server.runtime.apiDb.withTenant(fixture.orgId, (tx) => tx.update(apiKeys).set(patch).where(eq(apiKeys.id, id)));
  await publishAndAwait(servers, { type: 'api_key.changed', orgId: fixture.orgId, apiKeyId: id });
  return id;
}

/** A fresh key of the fixture's project with these limits (set before its first use, so no replica has it cached). */
export async function keyWithLimits(fixture: GatewayFixture, limits: Record<string, unknown>): Promise<{ token: string; id: string }> {
  const [token] = await fixture.bootstrap();
  if (!token) throw new Error('bootstrap created no API key');
  const id = await updateApiKey(fixture, token, { limits });
  return { token, id };
}

// ------------------------------------------------------------------------------------------------
// HTTP

/** A request to any gateway replica, without an SDK. */
export async function call(
  baseUrl: string,
  path: string,
  options: { apiKey?: string; body?: unknown; headers?: Record<string, string>; anthropicAuth?: boolean } = {},
): Promise<RawResponse> {
  const auth: Record<string, string> =
    options.apiKey === undefined
      ? {}
      : options.anthropicAuth
        ? { 'x-api-key': options.apiKey }
        : { authorization: `Bearer ${options.apiKey}` };
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.anthropicAuth ? { 'anthropic-version': '2023-06-01' } : {}),
      ...auth,
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
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

/** `{ type: 'error', error: { type, message } }` of an Anthropic-shaped error body, or undefined. */
export function anthropicErrorOf(json: unknown): { type: string; message: string } | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const body = json as { type?: unknown; error?: { type?: unknown; message?: unknown } };
  if (body.type !== 'error' || typeof body.error?.type !== 'string' || typeof body.error.message !== 'string') return undefined;
  return { type: body.error.type, message: body.error.message };
}

/** Distinct, never-routable client addresses (benchmarking range) for X-Forwarded-For behind TRUST_PROXY=loopback. */
export function randomClientIp(): string {
  return `198.18.${randomInt(0, 256)}.${randomInt(1, 255)}`;
}

// ------------------------------------------------------------------------------------------------
// Estimates, as enforce-limits computes them

export const LIMITS_MODEL = { provider: 'openai' as ProviderId, id: 'gpt-5.4-mini' };
export const LIMITS_MODEL_NAME = `${LIMITS_MODEL.provider}/${LIMITS_MODEL.id}`;

export type ChatBody = { model: string; max_tokens: number; messages: { role: 'user'; content: string }[]; n?: number; stream?: boolean };

export function chatBody(content: string, maxTokens: number, model = LIMITS_MODEL_NAME): ChatBody {
  return { model, max_tokens: maxTokens, messages: [{ role: 'user', content }] };
}

/** The gateway's input bound: the client's JSON body in UTF-8 bytes (no images in these tests). */
export function estimatedInputTokens(body: unknown): number {
  return Buffer.byteLength(JSON.stringify(body));
}

function pricing(provider: ProviderId, model: string) {
  const entry = findModel(provider, model);
  if (!entry) throw new Error(`${provider}/${model} is not in the catalog`);
  return entry.pricing;
}

/** The reserved upper bound of a chat request on the limits model: input estimate + max_tokens, at catalog prices. */
export function reservedCostMicroUsd(body: ChatBody): number {
  return estimateMaxCostMicroUsd(pricing(LIMITS_MODEL.provider, LIMITS_MODEL.id), estimatedInputTokens(body), body.max_tokens);
}

/** What the gateway bills for this usage on the limits model. */
export function billedCostMicroUsd(input: number, output: number): number {
  return computeCostMicroUsd(pricing(LIMITS_MODEL.provider, LIMITS_MODEL.id), {
    inputTokens: input,
    outputTokens: output,
    cachedInputTokens: 0,
    cacheWriteInputTokens: 0,
    reasoningTokens: 0,
  });
}

// ------------------------------------------------------------------------------------------------
// Request logs and audit events

/** Request-log rows of one API key (read as the api role). */
export function logRowsOfApiKey(fixture: GatewayFixture, apiKeyId: string): Promise<LogRow[]> {
  return fixture.server.runtime.apiDb.withTenant(fixture.orgId, (tx) =>
    tx
      .select()
      .from(requestLogs)
      .where(and(eq(requestLogs.orgId, fixture.orgId), eq(requestLogs.apiKeyId, apiKeyId))),
  );
}

export type AuditRow = typeof auditEvents.$inferSelect;

/** The org's `budget.alert` audit events, read as the api role. */
export function budgetAlertEvents(fixture: GatewayFixture): Promise<AuditRow[]> {
  return fixture.server.runtime.apiDb.withTenant(fixture.orgId, (tx) =>
    tx
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, fixture.orgId), eq(auditEvents.action, 'budget.alert'))),
  );
}

// ------------------------------------------------------------------------------------------------
// Throwaway Redis

export type ThrowawayRedis = {
  url: string;
  port: number;
  /** SIGKILL: no goodbye to clients, like a crashed or partitioned Redis. */
  kill(): Promise<void>;
  /** Starts a new, empty redis-server on the same port (after kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
};

/** A redis-server child process on a free port, without persistence; nothing else uses it. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis> {
  const port = await unusedPort();
  let child: ChildProcess | undefined;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child = proc;
      let output = '';
      const timer = setTimeout(() => reject(new Error(`redis-server on ${port} did not start: ${output}`)), 15_000);
      proc.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server on ${port} exited (${String(code)}): ${output}`));
      });
    });

  const kill = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
  };

  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: start, stop: kill };
}

// ------------------------------------------------------------------------------------------------
// Budget webhooks

export type WebhookDelivery = { path: string; headers: http.IncomingHttpHeaders; body: string };

export type WebhookReceiver = { url: string; deliveries: WebhookDelivery[]; close(): Promise<void> };

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: WebhookDelivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/budget-hook`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Checks `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` independently of the
 * gateway's code; returns the signed timestamp, or undefined when the signature does not verify.
 */
export function verifyWebhookSignature(secret: string, header: string | string[] | undefined, body: string): number | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return undefined;
  const [, t, v1] = match as unknown as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? Number(t) : undefined;
}
