/**
 * A number a policy may leave unset (empty: the engine's default). Keeps the typed text, so a
 * half-typed number ("0.") is not lost; the policy gets the number once it is one.
 */
import { useState } from 'react';

type Props = {
  id: string;
  label: string;
  hint: string;
  placeholder: string;
  min: number;
  max: number;
  step: number;
  value: number | undefined;
  onChange: (next: number | undefined) => void;
};

/** `value` with its optional `key` set to `next`, or left out when `next` is undefined; every other field as it is. */
export function withOptional<T extends object, K extends keyof T>(value: T, key: K, next: T[K] | undefined): T {
  const copy = { ...value };
  if (next === undefined) delete copy[key];
  else copy[key] = next;
  return copy;
}

export function OptionalNumberField({ id, label, hint, placeholder, min, max, step, value, onChange }: Props) {
  const [text, setText] = useState(value === undefined ? '' : String(value));
  function change(typed: string) {
    setText(typed);
    const number = Number(typed);
    onChange(typed.trim() === '' || !Number.isFinite(number) ? undefined : number);
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        min={min}
        max={max}
        step={step}
        placeholder={placeholder}
        aria-describedby={`${id}-hint`}
        value={text}
        onChange={(e) => change(e.target.value)}
      />
      <p id={`${id}-hint`} className="hint">
        {hint}
      </p>
    </div>
  );
}
