/**
 * `portcullis audit verify`: recomputes the audit hash chains (src/audit/chain.ts) — every chain,
 * or one org's — directly on the database or inside the running server that holds the data dir.
 */
import { z } from 'zod';
import { verifyAllChains, type ChainReport } from '../audit/chain.js';
import { checkpointVerifiers } from '../audit/checkpoint-signing.js';
import type { Db } from '../db/types.js';
import type { ScopedDatabase } from '../db/tenant.js';
import { findOrganizationId } from '../tenancy/organizations.js';

export const auditVerifySchema = z.object({ org: z.string().min(1).max(200).optional() }).strict();
export type AuditVerifyInput = z.infer<typeof auditVerifySchema>;

export class UnknownOrgError extends Error {
  constructor(readonly org: string) {
    super(`no organization named ${JSON.stringify(org)}`);
    this.name = 'UnknownOrgError';
  }
}

export type AuditVerifyResult = { ok: boolean; chains: ChainReport[] };

/** `owner` is the database owner's connection (the chain reader is the owner's); `apiDb` resolves an org name. */
export async function operatorVerifyAudit(
  deps: { owner: Db; apiDb: ScopedDatabase; authSecret: string; previousAuthSecrets?: readonly string[] },
  input: AuditVerifyInput,
): Promise<AuditVerifyResult> {
  let orgId: string | undefined;
  if (input.org !== undefined) {
    orgId = await findOrganizationId(deps.apiDb, input.org);
    if (!orgId) throw new UnknownOrgError(input.org);
  }
  const chains = await verifyAllChains(deps.owner, checkpointVerifiers(deps.authSecret, deps.previousAuthSecrets ?? []), orgId);
  return { ok: chains.every((c) => c.ok), chains };
}
