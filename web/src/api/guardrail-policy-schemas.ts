/**
 * Guardrail policies as the api shows them (src/guardrails/engine/policy.ts, src/guardrails/custom/rules.ts),
 * validated on arrival. The api applies defaults before answering, so every part of an org policy is present;
 * a project override holds only the parts it overrides. The lists of choices fill the form; the api checks again.
 */
import { z } from 'zod/mini';

export const PII_TYPES = ['EMAIL', 'PHONE', 'SSN', 'CREDIT_CARD', 'IP_ADDRESS', 'API_KEY'] as const;
export type PiiType = (typeof PII_TYPES)[number];

export const GUARDRAIL_ACTIONS = ['log', 'mask', 'redact', 'block'] as const;
export type GuardrailAction = (typeof GUARDRAIL_ACTIONS)[number];
export const INJECTION_ACTIONS = ['log', 'block'] as const;
export const TOOL_DEFINITION_ACTIONS = ['off', 'log', 'block'] as const;

/** What the engine does with a PII type the policy does not name (DEFAULT_PII_ACTIONS on the server). */
export const DEFAULT_PII_ACTIONS: Readonly<Record<PiiType, GuardrailAction>> = {
  EMAIL: 'log',
  PHONE: 'log',
  SSN: 'redact',
  CREDIT_CARD: 'redact',
  IP_ADDRESS: 'log',
  API_KEY: 'redact',
};

export const CUSTOM_RULE_KINDS = ['regex', 'keywords', 'blocklist'] as const;
export type CustomRuleKind = (typeof CUSTOM_RULE_KINDS)[number];
export const CUSTOM_RULE_ACTIONS = ['block', 'redact', 'flag'] as const;
export const RULE_SCOPES = ['input', 'output', 'both'] as const;

/** The name rule of the api, checked here first so a typo is explained before anything is sent. */
export const RULE_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const action = z.enum(GUARDRAIL_ACTIONS);

export const customRuleSchema = z.object({
  name: z.string(),
  description: z.optional(z.string()),
  kind: z.enum(CUSTOM_RULE_KINDS),
  pattern: z.optional(z.string()),
  terms: z.optional(z.array(z.string())),
  caseSensitive: z.optional(z.boolean()),
  action: z.enum(CUSTOM_RULE_ACTIONS),
  scope: z.optional(z.enum(RULE_SCOPES)),
});
export type CustomRule = z.output<typeof customRuleSchema>;

const piiSchema = z.object({
  enabled: z.boolean(),
  actions: z.partialRecord(z.enum(PII_TYPES), action),
  minConfidence: z.optional(z.number()),
  reversible: z.boolean(),
});
const secretsSchema = z.object({ enabled: z.boolean(), input: action, output: action });
const injectionSchema = z.object({
  enabled: z.boolean(),
  threshold: z.optional(z.number()),
  action: z.enum(INJECTION_ACTIONS),
  toolDefinitions: z.enum(TOOL_DEFINITION_ACTIONS),
});

/** A whole policy (the org's, or a project's effective one): every part present. */
export const guardrailPolicySchema = z.object({
  pii: piiSchema,
  secrets: secretsSchema,
  injection: injectionSchema,
  customRules: z.array(customRuleSchema),
});
export type GuardrailPolicy = z.output<typeof guardrailPolicySchema>;

/** A project's override: only the parts it replaces. */
export const guardrailOverrideSchema = z.object({
  pii: z.optional(z.partial(piiSchema)),
  secrets: z.optional(z.partial(secretsSchema)),
  injection: z.optional(z.partial(injectionSchema)),
  customRules: z.optional(z.array(customRuleSchema)),
});
export type GuardrailOverride = z.output<typeof guardrailOverrideSchema>;

/** `version` counts saves (0: never saved); sent back as `If-Match` so a save made in between is refused. */
export const orgPolicyViewSchema = z.object({ policy: guardrailPolicySchema, version: z.number() });
export const projectPolicyViewSchema = z.object({
  override: z.nullable(guardrailOverrideSchema),
  version: z.number(),
  effective: guardrailPolicySchema,
});
export type ProjectPolicyView = z.output<typeof projectPolicyViewSchema>;
export const savedOverrideSchema = z.object({ override: guardrailOverrideSchema, version: z.number() });

const findingSchema = z.object({
  detector: z.string(),
  /** The PII type, secret rule id, injection category or custom rule name. */
  type: z.string(),
  action: z.string(),
  start: z.number(),
  end: z.number(),
});
export type TryFinding = z.output<typeof findingSchema>;

/** A "try it" answer: `text` is what the provider would receive, null when blocked (the api never echoes a blocked text). */
export const tryResultSchema = z.object({
  blocked: z.nullable(findingSchema),
  text: z.nullable(z.string()),
  findings: z.array(findingSchema),
});
export type TryResult = z.output<typeof tryResultSchema>;
