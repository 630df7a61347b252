/**
 * Per-org secrets other than provider keys (the budget-alert and security-alert webhook signing secrets),
 * encrypted under the org's data key with AAD = purpose + org id + row id.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { recordAudit } from '../audit/record.js';
import type { ActionContext } from '../audit/context.js';
import { encryptSecret } from '../crypto/envelope.js';
import type { MasterKeyring } from '../crypto/master-keyring.js';
import { orgSecrets } from '../db/schema/index.js';
import type { Tx } from '../db/types.js';
import { activeDataKey } from './tenant-keys.js';

export const ORG_SECRET_PURPOSES = {
  budget_webhook: 'budget_webhook_secret',
  // Its own secret, not the budget one: rotating either webhook must not break the other receiver.
  security_alert_webhook: 'security_alert_webhook_secret',
} as const;
export type OrgSecretKind = keyof typeof ORG_SECRET_PURPOSES;

/** Creates or replaces the org's secret of this kind (audited without its value). Call inside withTenant(orgId). */
export async function setOrgSecret(
  tx: Tx,
  orgId: string,
  kind: OrgSecretKind,
  secret: string,
  keyring: MasterKeyring,
  ctx: ActionContext,
): Promise<void> {
  const dataKey = await activeDataKey(tx, orgId, keyring, ctx);
  const [existing] = await tx
    .select({ id: orgSecrets.id })
    .from(orgSecrets)
    .where(and(eq(orgSecrets.orgId, orgId), eq(orgSecrets.kind, kind)));
  const id = existing?.id ?? randomUUID();
  const ciphertext = encryptSecret(dataKey.key, secret, { orgId, rowId: id, purpose: ORG_SECRET_PURPOSES[kind] });
  if (existing)
    await tx.update(orgSecrets).set({ ciphertext, tenantKeyId: dataKey.id, updatedAt: new Date() }).where(eq(orgSecrets.id, id));
  else await tx.insert(orgSecrets).values({ id, orgId, kind, ciphertext, tenantKeyId: dataKey.id });
  await recordAudit(tx, {
    orgId,
    actor: ctx.actor,
    requestId: ctx.requestId,
    action: 'org_secret.updated',
    target: { type: 'org_secret', id },
    diff: { kind, replaced: Boolean(existing) },
  });
}
