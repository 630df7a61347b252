/**
 * Admin-token management, shared by the api routes and the CLI (which mints an org's first
 * token). A token hands out, revokes and deletes only tokens whose role is no higher than its
 * own; the operator at the CLI (`actorRole` null) is not limited.
 */
import { findMember } from '../tenancy/members.js';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { ActionContext } from '../audit/context.js';
import { recordAudit } from '../audit/record.js';
import { canGrantRole, roleSchema, type Role } from '../auth/permissions.js';
import { adminTokens } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { forbidden, HttpError, notFound } from '../http/errors.js';
import { announce } from './announce.js';
import { credentialNameSchema, futureTimestampSchema } from './api-key-input.js';
import type { CredentialDeps } from './api-key-service.js';
import { adminTokenViewColumns, prepareAdminToken, toAdminTokenView, type AdminTokenRow, type AdminTokenView } from './admin-tokens.js';
import { isUniqueViolation } from './db-errors.js';

export const createAdminTokenInputSchema = z
  .object({
    name: credentialNameSchema,
    role: roleSchema.meta({ description: 'No higher than the role of the token creating it.' }),
    expiresAt: futureTimestampSchema.nullable().optional(),
  })
  .strict();
export type CreateAdminTokenInput = z.output<typeof createAdminTokenInputSchema>;

export type IssuedAdminToken = { adminToken: AdminTokenView; token: string };

const tokenNotFound = () => notFound('Admin token not found', 'admin_token_not_found');
const nameTaken = () =>
  new HttpError(409, 'invalid_request_error', 'name_taken', 'This organization already has an admin token with that name.');

function assertMayAffect(actorRole: Role | null, targetRole: Role, verb: string): void {
  if (actorRole !== null && !canGrantRole(actorRole, targetRole))
    throw forbidden(`An admin token cannot ${verb} a token whose role is higher than its own.`, 'role_too_high');
}

async function findTokenRow(tx: Tx, tokenId: string): Promise<AdminTokenRow | undefined> {
  const [row] = await tx.select(adminTokenViewColumns).from(adminTokens).where(eq(adminTokens.id, tokenId)).limit(1).for('update');
  return row;
}

export async function createAdminToken(
  deps: CredentialDeps,
  orgId: string,
  input: CreateAdminTokenInput,
  ctx: ActionContext,
  actorRole: Role | null,
): Promise<IssuedAdminToken> {
  assertMayAffect(actorRole, input.role, 'create');
  const prepared = await prepareAdminToken();
  try {
    const row = await deps.db.withTenant(orgId, async (tx) => {
      const [existing] = await tx.select({ id: adminTokens.id }).from(adminTokens).where(eq(adminTokens.name, input.name)).limit(1);
      if (existing) throw nameTaken();
      const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
      // A member's token carries their authority: it names them, so it is revoked when they leave.
      const creator = ctx.actor.type === 'user' && ctx.actor.id ? await findMember(tx, orgId, ctx.actor.id) : undefined;
      const [created] = await tx
        .insert(adminTokens)
        .values({
          orgId,
          createdByMemberId: creator?.id ?? null,
          name: input.name,
          role: input.role,
          lookupId: prepared.lookupId,
          secretHash: prepared.secretHash,
          last4: prepared.last4,
          expiresAt,
        })
        .returning(adminTokenViewColumns);
      if (!created) throw new Error('admin token insert returned no row');
      await recordAudit(tx, {
        orgId,
        actor: ctx.actor,
        requestId: ctx.requestId,
        action: 'admin_token.created',
        target: { type: 'admin_token', id: created.id },
        diff: { name: input.name, role: input.role, lookupId: prepared.lookupId, last4: prepared.last4, expiresAt },
      });
      return created;
    });
    // Nothing caches a token that did not exist, so there is nothing to announce.
    return { adminToken: toAdminTokenView(row), token: prepared.token };
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken();
    throw error;
  }
}

export async function listAdminTokens(deps: CredentialDeps, orgId: string): Promise<AdminTokenView[]> {
  const rows = await deps.db.withTenant(orgId, (tx) =>
    tx.select(adminTokenViewColumns).from(adminTokens).orderBy(asc(adminTokens.createdAt), asc(adminTokens.name)),
  );
  const now = new Date();
  return rows.map((row) => toAdminTokenView(row, now));
}

/**
 * Revoked tokens are refused from the next request on: this replica drops its cached
 * verification (the caller's `forget`), and `org.changed` tells the others to drop their cached
 * tokens of this org (the bus has no admin-token event of its own yet).
 */
export async function revokeAdminToken(
  deps: CredentialDeps,
  orgId: string,
  tokenId: string,
  ctx: ActionContext,
  actorRole: Role | null,
): Promise<AdminTokenView> {
  let changed = false;
  const row = await deps.db.withTenant(orgId, async (tx) => {
    const current = await findTokenRow(tx, tokenId);
    if (!current) throw tokenNotFound();
    assertMayAffect(actorRole, current.role, 'revoke');
    if (current.revokedAt) return current;
    const [updated] = await tx
      .update(adminTokens)
      .set({ revokedAt: new Date() })
      .where(eq(adminTokens.id, tokenId))
      .returning(adminTokenViewColumns);
    if (!updated) throw tokenNotFound();
    await recordAudit(tx, {
      orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'admin_token.revoked',
      target: { type: 'admin_token', id: tokenId },
      diff: { name: current.name, role: current.role, lookupId: current.lookupId, last4: current.last4 },
    });
    changed = true;
    return updated;
  });
  if (changed) await announce(deps.bus, { type: 'org.changed', orgId }, deps.logger);
  return toAdminTokenView(row);
}

export async function deleteAdminToken(
  deps: CredentialDeps,
  orgId: string,
  tokenId: string,
  ctx: ActionContext,
  actorRole: Role | null,
): Promise<void> {
  await deps.db.withTenant(orgId, async (tx) => {
    const current = await findTokenRow(tx, tokenId);
    if (!current) throw tokenNotFound();
    assertMayAffect(actorRole, current.role, 'delete');
    await tx.delete(adminTokens).where(eq(adminTokens.id, tokenId));
    await recordAudit(tx, {
      orgId,
      actor: ctx.actor,
      requestId: ctx.requestId,
      action: 'admin_token.deleted',
      target: { type: 'admin_token', id: tokenId },
      diff: { name: current.name, role: current.role, lookupId: current.lookupId, last4: current.last4 },
    });
  });
  await announce(deps.bus, { type: 'org.changed', orgId }, deps.logger);
}
