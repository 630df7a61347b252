/** A labelled whole-number input with its hint, the hint tied to the input for screen readers. */
import type { ReactNode } from 'react';

type WholeNumberFieldProps = {
  id: string;
  label: string;
  min: number;
  max: number;
  /** The draft's text: empty while the field is unset, so "optional" fields can stay empty. */
  value: string;
  onChange: (value: string) => void;
  hint: ReactNode;
};

export function WholeNumberField({ id, label, min, max, value, onChange, hint }: WholeNumberFieldProps) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="numeric"
        min={min}
        max={max}
        step={1}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={`${id}-hint`}
      />
      <p id={`${id}-hint`} className="hint">
        {hint}
      </p>
    </>
  );
}
