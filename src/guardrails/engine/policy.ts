/**
 * A guardrail policy: which detectors run and what each finding does. An org has one, a project
 * may override parts of it (`mergePolicy`). Every field has a default, so `{}` is a complete
 * policy: secrets blocked in requests and redacted in responses (the defaults), card
 * numbers, SSNs and API keys redacted, other PII and prompt injection logged only.
 *
 * Actions, from mildest to strongest: `log` (an event, the text unchanged), `mask` (all but the
 * last 4 characters replaced), `redact` (a typed placeholder such as `[EMAIL_1]`), `block` (the
 * request or response refused). Where findings overlap, the strongest action wins.
 */
import { z } from 'zod';
import { customRuleSchema } from '../custom/rules.js';
import { PII_TYPES, type PiiType } from '../types.js';

export const GUARDRAIL_ACTIONS = ['log', 'mask', 'redact', 'block'] as const;
export type GuardrailAction = (typeof GUARDRAIL_ACTIONS)[number];
const RANK: Readonly<Record<GuardrailAction, number>> = { log: 0, mask: 1, redact: 2, block: 3 };

export function strongerAction(a: GuardrailAction, b: GuardrailAction): GuardrailAction {
  return RANK[a] >= RANK[b] ? a : b;
}

const action = z.enum(GUARDRAIL_ACTIONS);
const uniqueNames = (rules: readonly { name: string }[]) => new Set(rules.map((r) => r.name)).size === rules.length;

export const DEFAULT_PII_ACTIONS: Readonly<Record<PiiType, GuardrailAction>> = {
  EMAIL: 'log',
  PHONE: 'log',
  SSN: 'redact',
  CREDIT_CARD: 'redact',
  IP_ADDRESS: 'log',
  API_KEY: 'redact',
};

export const guardrailPolicySchema = z
  .object({
    pii: z
      .object({
        enabled: z.boolean().default(true),
        actions: z.partialRecord(z.enum(PII_TYPES), action).default({}),
        /**
         * Findings with a lower confidence (each detector's own: a phone number in an unassigned
         * area code, an IPv6 shape that could be something else) are logged instead of getting
         * their type's action. Unset: every finding gets it.
         */
        minConfidence: z.number().min(0).max(1).optional(),
        /**
         * Placeholders in the provider's response are put back to the original values before the
         * client sees them. The originals live only in the request's memory, never stored.
         */
        reversible: z.boolean().default(false),
      })
      .strict()
      .default({ enabled: true, actions: {}, reversible: false }),
    secrets: z
      .object({
        enabled: z.boolean().default(true),
        input: action.default('block'),
        output: action.default('redact'),
      })
      .strict()
      .default({ enabled: true, input: 'block', output: 'redact' }),
    injection: z
      .object({
        enabled: z.boolean().default(true),
        /** Probability from which a text counts as an injection; the model's own when absent. */
        threshold: z.number().min(0.5).max(0.999).optional(),
        action: z.enum(['log', 'block']).default('log'),
        /**
         * Tool poisoning in tool descriptions (injection/tool-poisoning.ts): an action of its own,
         * because those rules catch fewer attacks and raise more false alarms on unseen text than
         * the model does on prompts (docs/guardrails.md): logged unless an org opts in to block.
         */
        toolDefinitions: z.enum(['off', 'log', 'block']).default('log'),
      })
      .strict()
      .default({ enabled: true, action: 'log', toolDefinitions: 'log' }),
    customRules: z.array(customRuleSchema).max(200).refine(uniqueNames, 'custom rule names must be unique').default([]),
  })
  .strict();
export type GuardrailPolicy = z.output<typeof guardrailPolicySchema>;
export type GuardrailPolicyInput = z.input<typeof guardrailPolicySchema>;

/** A project override: any part of a policy; what it leaves out comes from the org's. */
export const guardrailOverrideSchema = z
  .object({
    pii: z
      .object({
        enabled: z.boolean(),
        actions: z.partialRecord(z.enum(PII_TYPES), action),
        minConfidence: z.number().min(0).max(1),
        reversible: z.boolean(),
      })
      .partial()
      .strict()
      .optional(),
    secrets: z.object({ enabled: z.boolean(), input: action, output: action }).partial().strict().optional(),
    injection: z
      .object({
        enabled: z.boolean(),
        threshold: z.number().min(0.5).max(0.999),
        action: z.enum(['log', 'block']),
        toolDefinitions: z.enum(['off', 'log', 'block']),
      })
      .partial()
      .strict()
      .optional(),
    /** Replaces the org's custom rules for this project when given. */
    customRules: z.array(customRuleSchema).max(200).refine(uniqueNames, 'custom rule names must be unique').optional(),
  })
  .strict();
export type GuardrailOverride = z.output<typeof guardrailOverrideSchema>;

/** The org's policy with a project's override on top (per field; PII actions per type). */
export function mergePolicy(org: GuardrailPolicy, override: GuardrailOverride | undefined): GuardrailPolicy {
  if (!override) return org;
  return {
    pii: { ...org.pii, ...override.pii, actions: { ...org.pii.actions, ...override.pii?.actions } },
    secrets: { ...org.secrets, ...override.secrets },
    injection: { ...org.injection, ...override.injection },
    customRules: override.customRules ?? org.customRules,
  };
}

export function piiAction(policy: GuardrailPolicy, type: PiiType): GuardrailAction {
  return policy.pii.actions[type] ?? DEFAULT_PII_ACTIONS[type];
}

/** The action for one PII finding: its type's, or `log` under the policy's minimum confidence. */
export function piiFindingAction(policy: GuardrailPolicy, type: PiiType, confidence: number): GuardrailAction {
  return confidence < (policy.pii.minConfidence ?? 0) ? 'log' : piiAction(policy, type);
}
