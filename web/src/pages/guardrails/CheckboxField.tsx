/** A checkbox with its label beside it. */
type Props = { id: string; label: string; checked: boolean; onChange: (checked: boolean) => void; hint?: string };

export function CheckboxField({ id, label, checked, onChange, hint }: Props) {
  return (
    <div className="checkbox-field">
      <input
        id={id}
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className="hint">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
