/**
 * How long the org's data is kept (PUT …/retention, owners only): request logs, stored bodies and
 * guardrail events by the org's own days; audit events by the plan, only an Enterprise org chooses;
 * zero retention stores no body and caches no answer. Others see the settings read-only.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request, seg } from '../../api/client.ts';
import { orgQueryKeys, useRetention } from '../../api/org-queries.ts';
import { RETENTION_BOUNDS, retentionSchema, type Retention } from '../../api/org-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';

const days = (n: number) => `${n.toLocaleString()} ${n === 1 ? 'day' : 'days'}`;

/** A whole number of days within bounds, or the sentence that says what is wrong. */
function parseDays(text: string, what: string, min: number): number | Error {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > RETENTION_BOUNDS.maxDays)
    return new Error(`${what} must be a whole number of days from ${min} to ${RETENTION_BOUNDS.maxDays.toLocaleString()}.`);
  return value;
}

export function RetentionSection({ orgId, mayWrite }: { orgId: string; mayWrite: boolean }) {
  const retention = useRetention(orgId);
  return (
    <section aria-labelledby="retention-title" className="admin-section">
      <h2 id="retention-title">Retention</h2>
      <ErrorMessage error={retention.error} />
      {retention.isPending ? <Loading what="retention" /> : null}
      {retention.data === undefined ? null : mayWrite ? (
        <RetentionForm orgId={orgId} retention={retention.data} />
      ) : (
        <RetentionView retention={retention.data} />
      )}
    </section>
  );
}

function RetentionView({ retention }: { retention: Retention }) {
  return (
    <>
      <dl className="details">
        <dt>Audit events</dt>
        <dd>{days(retention.auditDays)}</dd>
        <dt>Request logs, stored bodies, guardrail events</dt>
        <dd>{days(retention.requestLogDays)}</dd>
        <dt>Zero retention</dt>
        <dd>{retention.zeroRetention ? 'On: no body is stored, no answer cached' : 'Off'}</dd>
      </dl>
      <p className="hint">Only owners change retention.</p>
    </>
  );
}

function RetentionForm({ orgId, retention }: { orgId: string; retention: Retention }) {
  const queryClient = useQueryClient();
  const { error, busy, run, refuse } = useSubmission();
  const [saved, setSaved] = useState(false);
  const enterprise = retention.plan === 'enterprise';

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const data = new FormData(event.currentTarget);
    const requestLogDays = parseDays(formText(data, 'requestLogDays'), 'Request log retention', 1);
    if (requestLogDays instanceof Error) return refuse(requestLogDays);
    const body: { requestLogDays: number; zeroRetention: boolean; auditDays?: number | null } = {
      requestLogDays,
      zeroRetention: data.get('zeroRetention') === 'on',
    };
    if (enterprise) {
      const auditText = formText(data, 'auditDays').trim();
      const auditDays = auditText === '' ? null : parseDays(auditText, 'Audit retention', RETENTION_BOUNDS.minAuditDays);
      if (auditDays instanceof Error) return refuse(auditDays);
      body.auditDays = auditDays;
    }
    run(async () => {
      const next = await request('PUT', `/api/orgs/${seg(orgId)}/retention`, retentionSchema, { body });
      queryClient.setQueryData(orgQueryKeys.retention(orgId), next);
      setSaved(true);
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate className="stack narrow-form" aria-label="Retention">
      <ErrorMessage error={error} />
      {saved ? (
        <p className="notice" role="status">
          Retention saved. The next retention run (hourly) removes what is older.
        </p>
      ) : null}
      <label htmlFor="retention-request-logs">Request logs, stored bodies and guardrail events (days)</label>
      <input
        id="retention-request-logs"
        name="requestLogDays"
        type="number"
        inputMode="numeric"
        min={1}
        max={RETENTION_BOUNDS.maxDays}
        defaultValue={retention.requestLogDays}
        aria-describedby="retention-request-logs-hint"
      />
      <p id="retention-request-logs-hint" className="hint">
        From 1 to {RETENTION_BOUNDS.maxDays.toLocaleString()} days (7 years).
      </p>
      <label htmlFor="retention-audit">Audit events (days)</label>
      {enterprise ? (
        <input
          id="retention-audit"
          name="auditDays"
          type="number"
          inputMode="numeric"
          min={RETENTION_BOUNDS.minAuditDays}
          max={RETENTION_BOUNDS.maxDays}
          defaultValue={retention.auditDaysSetting ?? ''}
          placeholder={String(retention.auditDays)}
          aria-describedby="retention-audit-hint"
        />
      ) : (
        <input id="retention-audit" type="text" readOnly value={days(retention.auditDays)} aria-describedby="retention-audit-hint" />
      )}
      <p id="retention-audit-hint" className="hint">
        {enterprise
          ? `Enterprise: from ${RETENTION_BOUNDS.minAuditDays} days to 7 years; empty keeps the plan default (${days(retention.auditDays)} now).`
          : `Fixed by the ${retention.plan} plan (Free 30 days, Pro 90). Enterprise organizations choose their own.`}
      </p>
      <label className="choice">
        <input type="checkbox" name="zeroRetention" defaultChecked={retention.zeroRetention} aria-describedby="retention-zero-hint" />
        Zero retention
      </label>
      <p id="retention-zero-hint" className="hint">
        No request or response body is stored and no answer is cached, whatever a project asks. Request logs (without bodies) stay.
      </p>
      <div className="row">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save retention'}
        </button>
      </div>
    </form>
  );
}
