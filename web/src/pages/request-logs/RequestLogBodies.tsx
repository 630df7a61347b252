/**
 * The stored request and response bodies of one request, read only on an explicit click: the api
 * records every read in the audit log, and the bodies may hold personal data. They live in this
 * component's state alone (not the query cache, not storage, not the address) and leave with it.
 * When they were not stored, or the role may not read them, this says so instead of offering a button.
 */
import { useState } from 'react';
import { fetchRequestLogBody } from '../../api/request-log-queries.ts';
import type { RequestLogBody } from '../../api/request-log-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSubmission } from '../../lib/submission.ts';
import { formatBody } from './request-log-format.ts';

type Props = {
  orgId: string;
  requestLogId: string;
  bodyStored: boolean;
  /** request_bodies:read: owners and admins (src/auth/permissions.ts). The api decides; this spares a refused click. */
  mayRead: boolean;
  role: string;
};

export function RequestLogBodies({ orgId, requestLogId, bodyStored, mayRead, role }: Props) {
  const [bodies, setBodies] = useState<RequestLogBody | null>(null);
  const submission = useSubmission();

  if (!bodyStored)
    return (
      <p className="muted" data-bodies="not-stored">
        The request and response bodies of this request were not stored: its project does not log bodies (the project setting
        &ldquo;logBodies&rdquo;), or they have been removed since.
      </p>
    );
  if (!mayRead)
    return (
      <p className="muted" data-bodies="not-permitted">
        The bodies of this request are stored, but only owners and admins may read them (the request_bodies:read permission)
        {role === '' ? '' : `; your role is ${role}`}.
      </p>
    );
  if (bodies === null)
    return (
      <div className="body-reveal">
        <p id="body-read-notice">
          Reading the bodies is recorded in the organization&apos;s audit log (<code>request_log.body_read</code>), under your account.
        </p>
        <button
          type="button"
          aria-describedby="body-read-notice"
          disabled={submission.busy}
          onClick={() => submission.run(() => fetchRequestLogBody(orgId, requestLogId).then(setBodies))}
        >
          {submission.busy ? 'Reading…' : 'Show request and response bodies'}
        </button>
        <ErrorMessage error={submission.error} />
      </div>
    );
  return (
    <>
      <p className="muted" role="status">
        This read has been recorded in the audit log.
      </p>
      <h4>Request body</h4>
      <pre className="diff request-body" aria-label="Request body" tabIndex={0}>
        {formatBody(bodies.request)}
      </pre>
      <h4>Response body</h4>
      {bodies.response === null ? (
        <p className="muted">No response body was stored (an error answer, or a stream cut short).</p>
      ) : (
        <pre className="diff request-body" aria-label="Response body" tabIndex={0}>
          {formatBody(bodies.response)}
        </pre>
      )}
    </>
  );
}
