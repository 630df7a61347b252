/** The secrets detector: on or off, and what a secret does in a request and in an answer. */
import { useId } from 'react';
import { GUARDRAIL_ACTIONS, type GuardrailPolicy } from '../../api/guardrail-policy-schemas.ts';
import { ActionSelect } from './ActionSelect.tsx';
import { CheckboxField } from './CheckboxField.tsx';

type Secrets = GuardrailPolicy['secrets'];

export function SecretsFields({ value, onChange }: { value: Secrets; onChange: (next: Secrets) => void }) {
  const id = useId();
  return (
    <>
      <CheckboxField
        id={`${id}-enabled`}
        label="Detect secrets"
        checked={value.enabled}
        onChange={(enabled) => onChange({ ...value, enabled })}
      />
      <div className="action-grid">
        <ActionSelect
          id={`${id}-input`}
          label="In requests"
          actions={GUARDRAIL_ACTIONS}
          value={value.input}
          onChange={(input) => onChange({ ...value, input })}
        />
        <ActionSelect
          id={`${id}-output`}
          label="In answers"
          actions={GUARDRAIL_ACTIONS}
          value={value.output}
          onChange={(output) => onChange({ ...value, output })}
        />
      </div>
    </>
  );
}
