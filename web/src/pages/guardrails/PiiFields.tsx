/**
 * The PII detector: on or off, the action per type (unset types keep the engine's default), the
 * confidence from which those actions apply, reversible redaction.
 */
import { useId } from 'react';
import { DEFAULT_PII_ACTIONS, GUARDRAIL_ACTIONS, PII_TYPES, type GuardrailPolicy } from '../../api/guardrail-policy-schemas.ts';
import { ActionSelect } from './ActionSelect.tsx';
import { CheckboxField } from './CheckboxField.tsx';
import { OptionalNumberField, withOptional } from './OptionalNumberField.tsx';

type Pii = GuardrailPolicy['pii'];

export function PiiFields({ value, onChange }: { value: Pii; onChange: (next: Pii) => void }) {
  const id = useId();
  return (
    <>
      <CheckboxField
        id={`${id}-enabled`}
        label="Detect personal data"
        checked={value.enabled}
        onChange={(enabled) => onChange({ ...value, enabled })}
      />
      <div className="action-grid">
        {PII_TYPES.map((type) => (
          <ActionSelect
            key={type}
            id={`${id}-${type}`}
            label={`Action for ${type}`}
            actions={GUARDRAIL_ACTIONS}
            value={value.actions[type] ?? DEFAULT_PII_ACTIONS[type]}
            onChange={(action) => onChange({ ...value, actions: { ...value.actions, [type]: action } })}
          />
        ))}
        <OptionalNumberField
          id={`${id}-min-confidence`}
          label="Minimum confidence (0 to 1)"
          hint="Findings the detector is less sure of are only logged. Empty: every finding gets its type's action."
          placeholder="Every finding"
          min={0}
          max={1}
          step={0.05}
          value={value.minConfidence}
          onChange={(next) => onChange(withOptional(value, 'minConfidence', next))}
        />
      </div>
      <CheckboxField
        id={`${id}-reversible`}
        label="Reversible redaction"
        hint="Placeholders in the provider's answer are put back to the request's values before the application sees them. The values stay in the request's memory only."
        checked={value.reversible}
        onChange={(reversible) => onChange({ ...value, reversible })}
      />
    </>
  );
}
