/**
 * A project's effective guardrail policy as the gateway holds it: the org's policy with the
 * project's override merged in, custom rules compiled once (not per request), and a version
 * string that changes whenever either row changes — it is part of the response-cache key, so
 * an answer cached under another policy is never served.
 */
import { and, eq, isNull, or } from 'drizzle-orm';
import { compileRule, type CompiledRule } from '../../guardrails/custom/rules.js';
import { guardrailOverrideSchema, guardrailPolicySchema, mergePolicy, type GuardrailPolicy } from '../../guardrails/engine/policy.js';
import { guardrailPolicies } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';

export type LoadedGuardrails = {
  policy: GuardrailPolicy;
  customRules: readonly CompiledRule[];
  /** `<org version>.<project version>`; `0.0` for the defaults. */
  version: string;
};

export async function loadGuardrails(tx: Tx, orgId: string, projectId: string): Promise<LoadedGuardrails> {
  const rows = await tx
    .select({ projectId: guardrailPolicies.projectId, config: guardrailPolicies.config, version: guardrailPolicies.version })
    .from(guardrailPolicies)
    .where(and(eq(guardrailPolicies.orgId, orgId), or(isNull(guardrailPolicies.projectId), eq(guardrailPolicies.projectId, projectId))));
  const org = rows.find((r) => r.projectId === null);
  const project = rows.find((r) => r.projectId === projectId);
  // Stored policies were validated (and their rules compiled) when saved; a row that no longer
  // parses is a bug worth failing loudly on rather than serving with guardrails silently off.
  const policy = mergePolicy(
    guardrailPolicySchema.parse(org?.config ?? {}),
    project ? guardrailOverrideSchema.parse(project.config) : undefined,
  );
  return { policy, customRules: policy.customRules.map(compileRule), version: `${org?.version ?? 0}.${project?.version ?? 0}` };
}
