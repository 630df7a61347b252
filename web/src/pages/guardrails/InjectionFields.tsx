/**
 * The prompt-injection detector: on or off, log or block, the probability from which a text
 * counts, and what tool poisoning found in tool descriptions does.
 */
import { useId } from 'react';
import { INJECTION_ACTIONS, TOOL_DEFINITION_ACTIONS, type GuardrailPolicy } from '../../api/guardrail-policy-schemas.ts';
import { ActionSelect } from './ActionSelect.tsx';
import { CheckboxField } from './CheckboxField.tsx';
import { OptionalNumberField, withOptional } from './OptionalNumberField.tsx';

type Injection = GuardrailPolicy['injection'];

export function InjectionFields({ value, onChange }: { value: Injection; onChange: (next: Injection) => void }) {
  const id = useId();
  return (
    <>
      <CheckboxField
        id={`${id}-enabled`}
        label="Detect prompt injection (requests only)"
        checked={value.enabled}
        onChange={(enabled) => onChange({ ...value, enabled })}
      />
      <div className="action-grid">
        <ActionSelect
          id={`${id}-action`}
          label="Action"
          actions={INJECTION_ACTIONS}
          value={value.action}
          onChange={(action) => onChange({ ...value, action })}
        />
        <ActionSelect
          id={`${id}-tools`}
          label="Tool descriptions (tool poisoning)"
          actions={TOOL_DEFINITION_ACTIONS}
          value={value.toolDefinitions}
          onChange={(toolDefinitions) => onChange({ ...value, toolDefinitions })}
        />
        <OptionalNumberField
          id={`${id}-threshold`}
          label="Threshold (0.5 to 0.999)"
          hint="Empty: the model's own threshold. Higher flags fewer texts."
          placeholder="Model default"
          min={0.5}
          max={0.999}
          step={0.001}
          value={value.threshold}
          onChange={(next) => onChange(withOptional(value, 'threshold', next))}
        />
      </div>
    </>
  );
}
