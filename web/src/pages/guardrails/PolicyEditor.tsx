/** The four parts of a policy, each editable or shown read-only, and on a project each overridden or taken from the org. */
import type { GuardrailPolicy } from '../../api/guardrail-policy-schemas.ts';
import { CustomRulesList } from './CustomRulesList.tsx';
import type { OverriddenParts, PolicyPart } from './draft.ts';
import { InjectionFields } from './InjectionFields.tsx';
import { PiiFields } from './PiiFields.tsx';
import { PolicyPartFrame, type OverrideSwitch } from './PolicyPartFrame.tsx';
import { SecretsFields } from './SecretsFields.tsx';

type Props = {
  policy: GuardrailPolicy;
  onChange: (policy: GuardrailPolicy) => void;
  mayWrite: boolean;
  ruleErrors: ReadonlyMap<string, string>;
  /** On a project that overrides the org's policy: which parts it overrides. */
  overrides?: { parts: OverriddenParts; onToggle: (part: PolicyPart, on: boolean) => void };
};

export function PolicyEditor({ policy, onChange, mayWrite, ruleErrors, overrides }: Props) {
  const editable = (part: PolicyPart) => mayWrite && (overrides === undefined || overrides.parts[part]);
  const switchFor = (part: PolicyPart): OverrideSwitch | undefined =>
    overrides === undefined ? undefined : { on: overrides.parts[part], onToggle: (on) => overrides.onToggle(part, on) };
  return (
    <div className="policy-editor">
      <PolicyPartFrame
        title="Personal data"
        description="Emails, phone numbers, SSNs, card numbers, IP addresses and API keys, in requests and answers."
        editable={editable('pii')}
        override={switchFor('pii')}
        mayWrite={mayWrite}
      >
        <PiiFields value={policy.pii} onChange={(pii) => onChange({ ...policy, pii })} />
      </PolicyPartFrame>
      <PolicyPartFrame
        title="Secrets"
        description="About 100 kinds of keys and tokens (cloud, AI providers, developer tools, private keys)."
        editable={editable('secrets')}
        override={switchFor('secrets')}
        mayWrite={mayWrite}
      >
        <SecretsFields value={policy.secrets} onChange={(secrets) => onChange({ ...policy, secrets })} />
      </PolicyPartFrame>
      <PolicyPartFrame
        title="Prompt injection"
        description="Attempts to override the application's instructions, judged in user turns and tool results."
        editable={editable('injection')}
        override={switchFor('injection')}
        mayWrite={mayWrite}
      >
        {/* Remounted when the part changes hands (org ↔ project), so its typed threshold follows. */}
        <InjectionFields
          key={String(editable('injection'))}
          value={policy.injection}
          onChange={(injection) => onChange({ ...policy, injection })}
        />
      </PolicyPartFrame>
      <PolicyPartFrame
        title="Custom rules"
        description="Your own patterns, keywords and blocklists. A project that overrides them uses its own list instead of the organization's."
        editable={editable('customRules')}
        override={switchFor('customRules')}
        mayWrite={mayWrite}
        keepsControls
      >
        <CustomRulesList
          rules={policy.customRules}
          onChange={(customRules) => onChange({ ...policy, customRules })}
          editable={editable('customRules')}
          ruleErrors={ruleErrors}
        />
      </PolicyPartFrame>
    </div>
  );
}
