/**
 * API-key management, shared by the api routes and the CLI: bcrypt always before the transaction
 * opens, every change audited inside it, and `api_key.changed` announced after it commits so
 * every gateway replica drops its cached verification of the key at once. All reads and writes
 * run inside withTenant(orgId): another org's key or project is simply not found. Calls made for a
 * member limited to some projects pass that `scope`: a key of another project is not found either.
 */
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { ActionContext } from '../audit/context.js';
import { inProjectScope, type ProjectScope } from '../auth/principal.js';
import { recordAudit } from '../audit/record.js';
import { apiKeys, members, projects, requestLogs } from '../db/schema/index.js';
import type { ScopedDatabase } from '../db/tenant.js';
import type { Tx } from '../db/types.js';
import type { EventBus } from '../events/event-bus.js';
import { HttpError, notFound } from '../http/errors.js';
import { canonicalJson } from '../gateway/cache/canonical-json.js';
import { parseLimits } from '../tenancy/limits.js';
import { announce } from './announce.js';
import type { CreateApiKeyInput, UpdateApiKeyInput } from './api-key-input.js';
import { apiKeyViewColumns, toApiKeyView, type ApiKeyRow, type ApiKeyView } from './api-key-view.js';
import { insertApiKey, prepareApiKey } from './api-keys.js';
import { isUniqueViolation } from './db-errors.js';

export type CredentialDeps = { db: ScopedDatabase; bus: EventBus; logger: Logger };

export type IssuedApiKey = { apiKey: ApiKeyView; key: string };

const projectNotFound = () => notFound('Project not found', 'project_not_found');
const keyNotFound = () => notFound('API key not found', 'api_key_not_found');
const nameTaken = () => new HttpError(409, 'invalid_request_error', 'name_taken', 'This project already has an API key with that name.');

async function findProjectMode(tx: Tx, projectId: string) {
  const [row] = await tx.select({ mode: projects.mode }).from(projects).where(eq(projects.id, projectId)).limit(1);
  return row?.mode;
}

/** The key, unless it belongs to a project outside `scope`: then, as for another org's key, none. */
async function findKeyRow(tx: Tx, keyId: string, scope: ProjectScope, lock = false): Promise<ApiKeyRow | undefined> {
  const query = tx.select(apiKeyViewColumns).from(apiKeys).where(eq(apiKeys.id, keyId)).limit(1);
  const [row] = lock ? await query.for('update') : await query;
  return row && inProjectScope(scope, row.projectId) ? row : undefined;
}

/** Last use per key, from the request logs: the gateway cannot write to api_keys, by design. */
async function lastUsedByKey(tx: Tx, keyIds: string[]): Promise<Map<string, Date>> {
  if (keyIds.length === 0) return new Map();
  const rows = await tx
    .select({ apiKeyId: requestLogs.apiKeyId, lastUsedAt: sql`max(${requestLogs.createdAt})`.mapWith(requestLogs.createdAt) })
    .from(requestLogs)
    .where(inArray(requestLogs.apiKeyId, keyIds))
    .groupBy(requestLogs.apiKeyId);
  const out = new Map<string, Date>();
  for (const row of rows) if (row.apiKeyId !== null && row.lastUsedAt !== null) out.set(row.apiKeyId, row.lastUsedAt);
  return out;
}

async function viewOf(tx: Tx, row: ApiKeyRow): Promise<ApiKeyView> {
  return toApiKeyView(row, (await lastUsedByKey(tx, [row.id])).get(row.id) ?? null);
}

export async function createApiKey(
  deps: CredentialDeps,
  orgId: string,
  projectId: string,
  input: CreateApiKeyInput,
  ctx: ActionContext,
): Promise<IssuedApiKey> {
  // The project's mode decides the prefix (pc_live_ / pc_test_), and bcrypt must run outside a
  // transaction: read it first, hash, then insert in a transaction that checks everything again.
  const mode = await deps.db.withTenant(orgId, (tx) => findProjectMode(tx, projectId));
  if (mode === undefined) throw projectNotFound();
  const prepared = await prepareApiKey(mode);
  let row: ApiKeyRow;
  try {
    row = await deps.db.withTenant(orgId, async (tx) => {
      if ((await findProjectMode(tx, projectId)) !== mode) throw projectNotFound();
      if (input.ownerMemberId) {
        const [member] = await tx.select({ id: members.id }).from(members).where(eq(members.id, input.ownerMemberId)).limit(1);
        if (!member) throw notFound('Member not found', 'member_not_found');
      }
      const [existing] = await tx
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.projectId, projectId), eq(apiKeys.name, input.name)))
        .limit(1);
      if (existing) throw nameTaken();
      const { id } = await insertApiKey(
        tx,
        prepared,
        {
          orgId,
          projectId,
          name: input.name,
          expiresAt: input.expiresAt ? new Date(input.expiresAt) : null,
          ownerMemberId: input.ownerMemberId ?? null,
          allowedModels: input.allowedModels ?? null,
          ipAllowlist: input.ipAllowlist ?? null,
          limits: input.limits,
        },
        ctx,
      );
      const created = await findKeyRow(tx, id, 'all');
      if (!created) throw new Error('inserted API key not found');
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
  await announce(deps.bus, { type: 'api_key.changed', orgId, apiKeyId: row.id }, deps.logger);
  return { apiKey: toApiKeyView(row, null), key: prepared.token };
}

export async function listApiKeys(deps: CredentialDeps, orgId: string, projectId: string): Promise<ApiKeyView[]> {
  return deps.db.withTenant(orgId, async (tx) => {
    if ((await findProjectMode(tx, projectId)) === undefined) throw projectNotFound();
    const rows = await tx.select(apiKeyViewColumns).from(apiKeys).where(eq(apiKeys.projectId, projectId)).orderBy(asc(apiKeys.createdAt));
    const lastUsed = await lastUsedByKey(
      tx,
      rows.map((r) => r.id),
    );
    const now = new Date();
    return rows.map((row) => toApiKeyView(row, lastUsed.get(row.id) ?? null, now));
  });
}

export async function getApiKey(deps: CredentialDeps, orgId: string, keyId: string, scope: ProjectScope = 'all'): Promise<ApiKeyView> {
  return deps.db.withTenant(orgId, async (tx) => {
    const row = await findKeyRow(tx, keyId, scope);
    if (!row) throw keyNotFound();
    return viewOf(tx, row);
  });
}

type FieldChange = { from: unknown; to: unknown };

// canonicalJson sees a Date as an empty object: compare instants instead.
const comparable = (value: unknown) => canonicalJson(value instanceof Date ? value.toISOString() : value);

export async function updateApiKey(
  deps: CredentialDeps,
  orgId: string,
  keyId: string,
  input: UpdateApiKeyInput,
  ctx: ActionContext,
  scope: ProjectScope = 'all',
): Promise<ApiKeyView> {
  let changed = false;
  let view: ApiKeyView;
  try {
    view = await deps.db.withTenant(orgId, async (tx) => {
      const row = await findKeyRow(tx, keyId, scope, true);
      if (!row) throw keyNotFound();
      const previous = {
        name: row.name,
        expiresAt: row.expiresAt,
        allowedModels: row.allowedModels,
        ipAllowlist: row.ipAllowlist,
        limits: parseLimits(row.limits),
      };
      const next: typeof previous = {
        name: input.name ?? previous.name,
        expiresAt: input.expiresAt === undefined ? previous.expiresAt : input.expiresAt === null ? null : new Date(input.expiresAt),
        allowedModels: input.allowedModels === undefined ? previous.allowedModels : input.allowedModels,
        ipAllowlist: input.ipAllowlist === undefined ? previous.ipAllowlist : input.ipAllowlist,
        limits: input.limits ?? previous.limits,
      };
      const diff: Record<string, FieldChange> = {};
      for (const field of Object.keys(next) as (keyof typeof next)[]) {
        if (comparable(previous[field]) !== comparable(next[field])) diff[field] = { from: previous[field], to: next[field] };
      }
      if (Object.keys(diff).length === 0) return viewOf(tx, row);
      if (diff.name) {
        const [clash] = await tx
          .select({ id: apiKeys.id })
          .from(apiKeys)
          .where(and(eq(apiKeys.projectId, row.projectId), eq(apiKeys.name, next.name)))
          .limit(1);
        if (clash) throw nameTaken();
      }
      const [updated] = await tx.update(apiKeys).set(next).where(eq(apiKeys.id, keyId)).returning(apiKeyViewColumns);
      if (!updated) throw keyNotFound();
      await recordAudit(tx, {
        orgId,
        actor: ctx.actor,
        requestId: ctx.requestId,
        action: 'api_key.updated',
        target: { type: 'api_key', id: keyId },
        diff,
      });
      changed = true;
      return viewOf(tx, updated);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
  if (changed) await announce(deps.bus, { type: 'api_key.changed', orgId, apiKeyId: keyId }, deps.logger);
  return view;
}

// A new secret would be born revoked or expired: refuse instead of printing a key that never works.
function assertRotatable(row: ApiKeyRow, now: Date): void {
  if (row.revokedAt)
    throw new HttpError(409, 'invalid_request_error', 'api_key_revoked', 'A revoked API key cannot be rotated; create a new one.');
  if (row.expiresAt && row.expiresAt <= now)
    throw new HttpError(409, 'invalid_request_error', 'api_key_expired', 'This API key has expired; extend expiresAt before rotating it.');
}

/**
 * A new secret for the same key: its id, limits, restrictions and history stay. The replaced
 * secret keeps working under its own lookup id until now + grace (0: it stops at once); a
 * rotation during a running grace period ends that older secret immediately (one previous slot).
 */
export async function rotateApiKey(
  deps: CredentialDeps,
  orgId: string,
  keyId: string,
  gracePeriodSeconds: number,
  ctx: ActionContext,
  scope: ProjectScope = 'all',
): Promise<IssuedApiKey> {
  const current = await deps.db.withTenant(orgId, (tx) => findKeyRow(tx, keyId, scope));
  if (!current) throw keyNotFound();
  assertRotatable(current, new Date());
  const prepared = await prepareApiKey(current.kind);
  const view = await deps.db.withTenant(orgId, async (tx) => {
    const row = await findKeyRow(tx, keyId, scope, true);
    if (!row) throw keyNotFound();
    const now = new Date();
    assertRotatable(row, now);
    const previousExpiresAt = new Date(now.getTime() + gracePeriodSeconds * 1000);
    const [updated] = await tx
      .update(apiKeys)
      .set({
        // SET expressions see the row as it was, so these copy the outgoing secret.
        previousLookupId: sql`${apiKeys.lookupId}`,
        previousSecretHash: sql`${apiKeys.secretHash}`,
        previousLast4: sql`${apiKeys.last4}`,
        previousExpiresAt,
        lookupId: prepared.lookupId,
        secretHash: prepared.secretHash,
        last4: prepared.last4,
        rotatedAt: now,
      })
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning(apiKeyViewColumns);
    if (!updated) throw keyNotFound();
    const replacedGrace = row.previousExpiresAt !== null && row.previousExpiresAt > now;
    await recordAudit(tx, {
      orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'api_key.rotated',
      target: { type: 'api_key', id: keyId },
      diff: {
        lookupId: { from: row.lookupId, to: prepared.lookupId },
        last4: { from: row.last4, to: prepared.last4 },
        gracePeriodSeconds,
        previousExpiresAt,
        ...(replacedGrace ? { endedEarlierGraceOf: row.previousLookupId } : {}),
      },
    });
    return viewOf(tx, updated);
  });
  await announce(deps.bus, { type: 'api_key.changed', orgId, apiKeyId: keyId }, deps.logger);
  return { apiKey: view, key: prepared.token };
}

/** Immediate and final; revoking a revoked key changes nothing and records nothing. */
export async function revokeApiKey(
  deps: CredentialDeps,
  orgId: string,
  keyId: string,
  ctx: ActionContext,
  scope: ProjectScope = 'all',
): Promise<ApiKeyView> {
  let changed = false;
  const view = await deps.db.withTenant(orgId, async (tx) => {
    const row = await findKeyRow(tx, keyId, scope, true);
    if (!row) throw keyNotFound();
    if (row.revokedAt) return viewOf(tx, row);
    const [updated] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, keyId)).returning(apiKeyViewColumns);
    if (!updated) throw keyNotFound();
    await recordAudit(tx, {
      orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'api_key.revoked',
      target: { type: 'api_key', id: keyId },
      diff: { name: row.name, projectId: row.projectId, lookupId: row.lookupId, last4: row.last4 },
    });
    changed = true;
    return viewOf(tx, updated);
  });
  if (changed) await announce(deps.bus, { type: 'api_key.changed', orgId, apiKeyId: keyId }, deps.logger);
  return view;
}

/** Removes the row; its request logs stay (they carry no foreign key) and the audit trail keeps the deletion. */
export async function deleteApiKey(
  deps: CredentialDeps,
  orgId: string,
  keyId: string,
  ctx: ActionContext,
  scope: ProjectScope = 'all',
): Promise<void> {
  await deps.db.withTenant(orgId, async (tx) => {
    // The delete below is addressed by id alone: a caller limited to some projects checks first.
    if (scope !== 'all' && !(await findKeyRow(tx, keyId, scope, true))) throw keyNotFound();
    const [deleted] = await tx
      .delete(apiKeys)
      .where(eq(apiKeys.id, keyId))
      .returning({ name: apiKeys.name, projectId: apiKeys.projectId, lookupId: apiKeys.lookupId, last4: apiKeys.last4 });
    if (!deleted) throw keyNotFound();
    await recordAudit(tx, {
      orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'api_key.deleted',
      target: { type: 'api_key', id: keyId },
      diff: deleted,
    });
  });
  await announce(deps.bus, { type: 'api_key.changed', orgId, apiKeyId: keyId }, deps.logger);
}
