/** Save (and, after a refusal because someone else saved meanwhile, reload): what happened, in words. */
import { ApiError } from '../../api/client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';

type Props = {
  mayWrite: boolean;
  dirty: boolean;
  busy: boolean;
  error: unknown;
  /** Said after a successful save. */
  savedMessage: string | null;
  onSave: () => void;
  onReload: () => void;
  saveLabel?: string;
};

export function SaveBar({ mayWrite, dirty, busy, error, savedMessage, onSave, onReload, saveLabel = 'Save policy' }: Props) {
  if (!mayWrite) return null;
  const conflict = error instanceof ApiError && error.code === 'version_conflict';
  return (
    <div className="save-bar">
      <ErrorMessage error={error} />
      <div className="row">
        <button type="button" onClick={onSave} disabled={busy || !dirty}>
          {busy ? 'Saving…' : saveLabel}
        </button>
        {conflict ? (
          <button type="button" className="secondary" onClick={onReload}>
            Reload the saved policy (drops your changes)
          </button>
        ) : null}
        <p className="muted save-state" role="status">
          {dirty ? 'Unsaved changes.' : (savedMessage ?? 'No unsaved change.')}
        </p>
      </div>
    </div>
  );
}
