/**
 * The policy being edited. An org edits a whole policy; a project either inherits the org's or overrides some
 * of its four parts (the api merges an override per part, PII actions per type, and replaces custom rules whole).
 * A part the project does not override is shown with the org's values and left out of what is saved.
 */
import type { CustomRule, GuardrailOverride, GuardrailPolicy, ProjectPolicyView } from '../../api/guardrail-policy-schemas.ts';

export const POLICY_PARTS = ['pii', 'secrets', 'injection', 'customRules'] as const;
export type PolicyPart = (typeof POLICY_PARTS)[number];
export type OverriddenParts = Readonly<Record<PolicyPart, boolean>>;

export type ProjectDraft = {
  mode: 'inherit' | 'override';
  overridden: OverriddenParts;
  /** The values of the overridden parts (the others are the org's and not saved). */
  policy: GuardrailPolicy;
};

export const NO_PART_OVERRIDDEN: OverriddenParts = { pii: false, secrets: false, injection: false, customRules: false };

/** A copy the form can change without touching the cached answer. */
export const clonePolicy = (policy: GuardrailPolicy): GuardrailPolicy => structuredClone(policy);

export function projectDraftOf(view: ProjectPolicyView): ProjectDraft {
  const override = view.override;
  return {
    mode: override === null ? 'inherit' : 'override',
    overridden: {
      pii: override?.pii !== undefined,
      secrets: override?.secrets !== undefined,
      injection: override?.injection !== undefined,
      customRules: override?.customRules !== undefined,
    },
    policy: clonePolicy(view.effective),
  };
}

/** What the project gets: each overridden part from the draft, the rest from the org. */
export function shownPolicy(draft: ProjectDraft, org: GuardrailPolicy): GuardrailPolicy {
  const pick = <P extends PolicyPart>(part: P): GuardrailPolicy[P] =>
    draft.mode === 'override' && draft.overridden[part] ? draft.policy[part] : org[part];
  return { pii: pick('pii'), secrets: pick('secrets'), injection: pick('injection'), customRules: pick('customRules') };
}

/** The override to save or try: only the overridden parts ({} when the project inherits everything). */
export function overrideOf(draft: ProjectDraft): GuardrailOverride {
  if (draft.mode === 'inherit') return {};
  const override: GuardrailOverride = {};
  if (draft.overridden.pii) override.pii = draft.policy.pii;
  if (draft.overridden.secrets) override.secrets = draft.policy.secrets;
  if (draft.overridden.injection) override.injection = draft.policy.injection;
  if (draft.overridden.customRules) override.customRules = draft.policy.customRules;
  return override;
}

/** Turns a part's override on (starting from the org's values) or off. */
export function toggleOverride(draft: ProjectDraft, part: PolicyPart, on: boolean, org: GuardrailPolicy): ProjectDraft {
  const policy = on ? { ...draft.policy, [part]: structuredClone(org[part]) } : draft.policy;
  return { ...draft, policy, overridden: { ...draft.overridden, [part]: on } };
}

/** The same rules in a form the api accepts: empty optional fields left out. */
export function withRule(rules: readonly CustomRule[], rule: CustomRule, replacing: string | null): CustomRule[] {
  if (replacing === null) return [...rules, rule];
  return rules.map((existing) => (existing.name === replacing ? rule : existing));
}

/**
 * The api refuses a rule RE2 cannot run with "Custom rule <name>: <why>" (400 invalid_custom_rule);
 * this finds the rule it names, so the reason can be shown next to it.
 */
export function ruleNamedIn(message: string): string | null {
  return /^Custom rule ([a-z0-9][a-z0-9_-]{0,63}): /.exec(message)?.[1] ?? null;
}
