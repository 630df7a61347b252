/** A dialog form's Cancel and submit buttons; the submit one is disabled, and says so, while busy. */
type Props = {
  onCancel: () => void;
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  /** For a form that replaces or destroys something: a red submit button, and Cancel focused first. */
  destructive?: boolean;
};

export function DialogFormActions({ onCancel, busy, submitLabel, busyLabel, destructive = false }: Props) {
  return (
    <div className="dialog-actions">
      <button type="button" className="secondary" onClick={onCancel} autoFocus={destructive}>
        Cancel
      </button>
      <button type="submit" className={destructive ? 'danger' : undefined} disabled={busy}>
        {busy ? busyLabel : submitLabel}
      </button>
    </div>
  );
}
