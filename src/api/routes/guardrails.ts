/**
 * Guardrail policies through the api: the org's policy, a project's override on top of it, the
 * effective policy a project gets, and a "try it" that runs the engine over a text without
 * sending anything anywhere. A custom rule RE2 cannot run is refused here, at save time, naming
 * the rule (400 `invalid_custom_rule`). Every change is audited with the diff and bumps the
 * stored version; `org.changed` makes every gateway replica reload the policy. A writer that
 * sends the version it read as `If-Match` is refused (409) when someone saved in between, so two
 * admins editing at once cannot silently undo each other's rules.
 */
import { and, eq, isNull } from 'drizzle-orm';
import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { announce } from '../../credentials/announce.js';
import { guardrailPolicies, projects } from '../../db/schema/index.js';
import type { Tx } from '../../db/types.js';
import { HttpError, notFound } from '../../http/errors.js';
import { applyGuardrails } from '../../guardrails/engine/apply.js';
import { guardrailOverrideSchema, guardrailPolicySchema, mergePolicy, type GuardrailPolicy } from '../../guardrails/engine/policy.js';
import { RedactionVault } from '../../guardrails/engine/vault.js';
import { compileRule, CustomRuleError, type CompiledRule } from '../../guardrails/custom/rules.js';
import { deleteGuardrailOverride, findGuardrailPolicy, saveGuardrailPolicy } from '../../tenancy/guardrail-policies.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, noContent, type ApiRoute } from '../registry.js';
import { orgParams, projectParams } from '../schemas.js';

const TAG = 'Guardrails';

const policyView = z.object({ policy: guardrailPolicySchema, version: z.number().int() });
const overrideView = z.object({ override: guardrailOverrideSchema.nullable(), version: z.number().int() });

/** Compiles every custom rule, turning the first RE2 refusal into a 400 that names the rule. */
function compileAll(rules: GuardrailPolicy['customRules']): CompiledRule[] {
  try {
    return rules.map(compileRule);
  } catch (error) {
    if (error instanceof CustomRuleError) throw new HttpError(400, 'invalid_request_error', 'invalid_custom_rule', error.problem);
    throw error;
  }
}

/** A stored org policy as the schema reads it today (a row written by an older version still parses; an unreadable one is a bug). */
function orgPolicyOf(config: Record<string, unknown> | undefined): GuardrailPolicy {
  return guardrailPolicySchema.parse(config ?? {});
}

async function assertProject(tx: Tx, projectId: string): Promise<void> {
  const [project] = await tx.select({ id: projects.id }).from(projects).where(eq(projects.id, projectId)).limit(1);
  if (!project) throw notFound('Project not found', 'project_not_found');
}

/** `If-Match: "3"`, `If-Match: 3` or `If-Match: *`; absent: no check (the api stays usable without it). */
function ifMatchAllows(ifMatch: string | undefined, version: number): boolean {
  if (ifMatch === undefined) return true;
  return ifMatch
    .split(',')
    .map((tag) =>
      tag
        .trim()
        .replace(/^W\//, '')
        .replace(/^"(.*)"$/, '$1'),
    )
    .some((tag) => tag === '*' || tag === String(version));
}

/**
 * Refuses the write when `If-Match` names another version than the stored one (0: none stored).
 * The row is locked until the transaction ends, so a concurrent writer waits and then sees the new version.
 */
async function assertVersion(tx: Tx, orgId: string, projectId: string | null, ifMatch: string | undefined): Promise<void> {
  if (ifMatch === undefined) return;
  const [row] = await tx
    .select({ version: guardrailPolicies.version })
    .from(guardrailPolicies)
    .where(
      and(
        eq(guardrailPolicies.orgId, orgId),
        projectId === null ? isNull(guardrailPolicies.projectId) : eq(guardrailPolicies.projectId, projectId),
      ),
    )
    .for('update');
  if (!ifMatchAllows(ifMatch, row?.version ?? 0))
    throw new HttpError(
      409,
      'invalid_request_error',
      'version_conflict',
      'The guardrail policy changed since you read it (If-Match does not match its version); read it again and retry.',
    );
}

async function effectivePolicy(tx: Tx, orgId: string, projectId: string): Promise<GuardrailPolicy> {
  const org = await findGuardrailPolicy(tx, orgId, null);
  const override = await findGuardrailPolicy(tx, orgId, projectId);
  return mergePolicy(orgPolicyOf(org?.config), override ? guardrailOverrideSchema.parse(override.config) : undefined);
}

const findingView = z.object({
  detector: z.string(),
  type: z.string(),
  action: z.string(),
  start: z.number().int(),
  end: z.number().int(),
});

const tryResponse = z.object({ blocked: findingView.nullable(), text: z.string().nullable(), findings: z.array(findingView) });
const tryText = z.string().max(100_000);
const tryDirection = z.enum(['input', 'output']).default('input');

/** Runs `policy` over `text` in memory: nothing stored or sent, and a blocked text never echoed back. */
function tryPolicy(policy: GuardrailPolicy, text: string, direction: 'input' | 'output'): z.infer<typeof tryResponse> {
  // A throwaway key: the hashes are not returned, and none is stored.
  const key = randomBytes(32);
  const outcome = applyGuardrails(text, {
    policy,
    customRules: compileAll(policy.customRules),
    direction,
    hash: (value) => createHmac('sha256', key).update(value).digest('base64url'),
    vault: new RedactionVault(),
  });
  const findings = outcome.events.map(({ detector, type, action, start, end }) => ({ detector, type, action, start, end }));
  if (outcome.blocked) {
    const { detector, type, action, start, end } = outcome.blocked;
    return { blocked: { detector, type, action, start, end }, text: null, findings };
  }
  return { blocked: null, text: outcome.text, findings };
}

export function guardrailRoutes(deps: ApiDeps): ApiRoute[] {
  return [
    defineRoute({
      operationId: 'getGuardrailPolicy',
      method: 'get',
      path: '/api/orgs/:orgId/guardrails',
      tag: TAG,
      summary: 'The org’s guardrail policy (defaults filled in)',
      permission: 'guardrails:read',
      params: orgParams,
      status: 200,
      response: policyView,
      async handler({ params, c }) {
        const row = await deps.db.withTenant(params.orgId, (tx) => findGuardrailPolicy(tx, params.orgId, null));
        c.header('etag', `"${row?.version ?? 0}"`);
        return { policy: orgPolicyOf(row?.config), version: row?.version ?? 0 };
      },
    }),
    defineRoute({
      operationId: 'setGuardrailPolicy',
      method: 'put',
      path: '/api/orgs/:orgId/guardrails',
      tag: TAG,
      summary: 'Replace the org’s guardrail policy',
      description:
        'Every field is optional (defaults apply). 400 `invalid_custom_rule` names a custom rule RE2 cannot run. ' +
        'With `If-Match` (the `version` from GET), a change saved in between is refused with 409 `version_conflict`.',
      permission: 'guardrails:write',
      params: orgParams,
      body: guardrailPolicySchema,
      status: 200,
      errors: [409],
      response: policyView,
      async handler({ params, body, ctx, c }) {
        compileAll(body.customRules);
        const ifMatch = c.req.header('if-match');
        const { changed, version } = await deps.db.withTenant(params.orgId, async (tx) => {
          await assertVersion(tx, params.orgId, null, ifMatch);
          return saveGuardrailPolicy(tx, { orgId: params.orgId, projectId: null }, body, ctx);
        });
        if (changed) await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        return { policy: body, version };
      },
    }),
    defineRoute({
      operationId: 'getProjectGuardrails',
      method: 'get',
      path: '/api/orgs/:orgId/projects/:projectId/guardrails',
      tag: TAG,
      summary: 'A project’s override and the effective policy it gets',
      permission: 'guardrails:read',
      params: projectParams,
      status: 200,
      response: overrideView.extend({ effective: guardrailPolicySchema }),
      async handler({ params, c }) {
        return deps.db.withTenant(params.orgId, async (tx) => {
          await assertProject(tx, params.projectId);
          const row = await findGuardrailPolicy(tx, params.orgId, params.projectId);
          c.header('etag', `"${row?.version ?? 0}"`);
          return {
            override: row ? guardrailOverrideSchema.parse(row.config) : null,
            version: row?.version ?? 0,
            effective: await effectivePolicy(tx, params.orgId, params.projectId),
          };
        });
      },
    }),
    defineRoute({
      operationId: 'setProjectGuardrails',
      method: 'put',
      path: '/api/orgs/:orgId/projects/:projectId/guardrails',
      tag: TAG,
      summary: 'Replace a project’s override of the org policy',
      description:
        'Only the parts given override the org’s; `customRules`, when given, replaces the org’s rules for this project. ' +
        'With `If-Match` (the override’s `version` from GET, 0 for none), a change saved in between is refused with 409 `version_conflict`.',
      permission: 'guardrails:write',
      params: projectParams,
      body: guardrailOverrideSchema,
      status: 200,
      errors: [409],
      response: overrideView,
      async handler({ params, body, ctx, c }) {
        compileAll(body.customRules ?? []);
        const ifMatch = c.req.header('if-match');
        const { changed, version } = await deps.db.withTenant(params.orgId, async (tx) => {
          await assertProject(tx, params.projectId);
          await assertVersion(tx, params.orgId, params.projectId, ifMatch);
          return saveGuardrailPolicy(tx, { orgId: params.orgId, projectId: params.projectId }, body, ctx);
        });
        if (changed) await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        return { override: body, version };
      },
    }),
    defineRoute({
      operationId: 'deleteProjectGuardrails',
      method: 'delete',
      path: '/api/orgs/:orgId/projects/:projectId/guardrails',
      tag: TAG,
      summary: 'Remove a project’s override (the org policy applies again)',
      description: 'With `If-Match` (the override’s `version` from GET), a change saved in between is refused with 409 `version_conflict`.',
      permission: 'guardrails:write',
      params: projectParams,
      status: 204,
      errors: [409],
      response: noContent,
      async handler({ params, ctx, c }) {
        const ifMatch = c.req.header('if-match');
        const removed = await deps.db.withTenant(params.orgId, async (tx) => {
          await assertProject(tx, params.projectId);
          await assertVersion(tx, params.orgId, params.projectId, ifMatch);
          return deleteGuardrailOverride(tx, params.orgId, params.projectId, ctx);
        });
        if (!removed) throw notFound('This project has no guardrail override', 'override_not_found');
        await announce(deps.bus, { type: 'org.changed', orgId: params.orgId }, deps.logger);
        return undefined;
      },
    }),
    defineRoute({
      operationId: 'tryGuardrails',
      method: 'post',
      path: '/api/orgs/:orgId/projects/:projectId/guardrails/try',
      tag: TAG,
      summary: 'Run the project’s effective policy (or a draft) over a text',
      description:
        'Nothing is stored or sent: the answer says what would be blocked, redacted or logged, and the text as the provider ' +
        'would receive it. `policy`, when given, is a draft override tried instead of the stored one.',
      permission: 'guardrails:read',
      params: projectParams,
      body: z.object({ text: tryText, direction: tryDirection, policy: guardrailOverrideSchema.optional() }).strict(),
      status: 200,
      response: tryResponse,
      async handler({ params, body }) {
        const policy = await deps.db.withTenant(params.orgId, async (tx) => {
          await assertProject(tx, params.projectId);
          if (body.policy === undefined) return effectivePolicy(tx, params.orgId, params.projectId);
          const org = await findGuardrailPolicy(tx, params.orgId, null);
          return mergePolicy(orgPolicyOf(org?.config), body.policy);
        });
        return tryPolicy(policy, body.text, body.direction);
      },
    }),
    defineRoute({
      operationId: 'tryOrgGuardrails',
      method: 'post',
      path: '/api/orgs/:orgId/guardrails/try',
      tag: TAG,
      summary: 'Run the org’s policy (or a draft of it) over a text',
      description:
        'Nothing is stored or sent. `policy`, when given, is a whole draft org policy (defaults fill what it leaves out) tried ' +
        'instead of the stored one; projects’ overrides play no part.',
      permission: 'guardrails:read',
      params: orgParams,
      body: z.object({ text: tryText, direction: tryDirection, policy: guardrailPolicySchema.optional() }).strict(),
      status: 200,
      response: tryResponse,
      async handler({ params, body }) {
        const policy =
          body.policy ?? orgPolicyOf((await deps.db.withTenant(params.orgId, (tx) => findGuardrailPolicy(tx, params.orgId, null)))?.config);
        return tryPolicy(policy, body.text, body.direction);
      },
    }),
  ];
}
