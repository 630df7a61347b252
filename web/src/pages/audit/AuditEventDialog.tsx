/** One audit event in full: who, what, on what, the outcome, and the diff the api recorded. */
import type { AuditEvent } from '../../api/log-schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { formatDateTime } from '../../lib/format.ts';

export function AuditEventDialog({ event, actorName, onClose }: { event: AuditEvent; actorName: string; onClose: () => void }) {
  return (
    <Dialog title={`Audit event: ${event.action}`} onClose={onClose} className="wide-dialog">
      <dl className="details">
        <dt>When</dt>
        <dd>{formatDateTime(event.occurredAt)}</dd>
        <dt>Actor</dt>
        <dd>
          {actorName} ({event.actor.type})
        </dd>
        <dt>From</dt>
        <dd>{[event.actor.ip, event.actor.userAgent].filter((part) => part !== null).join(' · ') || 'Not recorded'}</dd>
        <dt>Target</dt>
        <dd>{event.target === null ? 'None' : `${event.target.type} ${event.target.id ?? ''}`.trim()}</dd>
        <dt>Outcome</dt>
        <dd>
          {event.outcome}
          {event.reason === null ? null : `: ${event.reason}`}
        </dd>
        <dt>Request id</dt>
        <dd>{event.requestId ?? 'None'}</dd>
        <dt>Position in the chain</dt>
        <dd>{event.seq}</dd>
        <dt>Hash</dt>
        <dd>
          <code className="hash">{event.hash}</code>
        </dd>
      </dl>
      <h3>Diff</h3>
      {event.diff === null ? (
        <p className="muted">This event recorded no diff.</p>
      ) : (
        <pre className="diff" aria-label="Diff" tabIndex={0}>
          {JSON.stringify(event.diff, null, 2)}
        </pre>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
