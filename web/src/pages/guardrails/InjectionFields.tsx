/**
 * The prompt-injection detector: on or off, log or block, the probability from which a text
 * counts, and what tool poisoning found in tool descriptions does.
 */
import { useId, useState } from 'react';
import { INJECTION_ACTIONS, TOOL_DEFINITION_ACTIONS, type GuardrailPolicy } from '../../api/guardrail-policy-schemas.ts';
import { ActionSelect } from './ActionSelect.tsx';
import { CheckboxField } from './CheckboxField.tsx';

type Injection = GuardrailPolicy['injection'];

export function InjectionFields({ value, onChange }: { value: Injection; onChange: (next: Injection) => void }) {
  const id = useId();
  // The typed text, so a half-typed number ("0.") is not lost; the policy gets the number once it is one.
  const [threshold, setThreshold] = useState(value.threshold === undefined ? '' : String(value.threshold));
  function changeThreshold(text: string) {
    setThreshold(text);
    // every other field as it is: only the threshold comes and goes
    const { threshold: _previous, ...rest } = value;
    const number = Number(text);
    onChange(text.trim() === '' || !Number.isFinite(number) ? rest : { ...rest, threshold: number });
  }
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
        <div className="field">
          <label htmlFor={`${id}-threshold`}>Threshold (0.5 to 0.999)</label>
          <input
            id={`${id}-threshold`}
            type="number"
            inputMode="decimal"
            min={0.5}
            max={0.999}
            step={0.001}
            placeholder="Model default"
            aria-describedby={`${id}-threshold-hint`}
            value={threshold}
            onChange={(e) => changeThreshold(e.target.value)}
          />
          <p id={`${id}-threshold-hint`} className="hint">
            Empty: the model&apos;s own threshold. Higher flags fewer texts.
          </p>
        </div>
      </div>
    </>
  );
}
