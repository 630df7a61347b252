/** Every destructive action goes through this: it says what will happen and waits for an explicit yes. */
import type { ReactNode } from 'react';
import { Dialog } from './Dialog.tsx';
import { ErrorMessage } from './ErrorMessage.tsx';

type Props = {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy?: boolean;
  error?: unknown;
};

export function ConfirmDialog({ title, children, confirmLabel, onConfirm, onCancel, busy = false, error }: Props) {
  return (
    <Dialog title={title} onClose={onCancel} description={children}>
      <ErrorMessage error={error} />
      <div className="dialog-actions">
        {/* First in the tab order and focused: Enter on an opened dialog must not destroy anything. */}
        <button type="button" className="secondary" onClick={onCancel} autoFocus>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm} disabled={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
