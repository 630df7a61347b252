/**
 * The org's audit log (owners and admins): newest first, filtered and paged by the api (cursor),
 * each event's detail with its diff, the filtered events as a CSV or JSON Lines download, and the
 * chain head. Exporting is itself audited by the api.
 */
import { useState } from 'react';
import { useParams } from 'react-router';
import { auditExportUrl, useAuditEvents, useMemberEmails, type QueryParams } from '../api/log-queries.ts';
import type { AuditEvent } from '../api/log-schemas.ts';
import { CursorPagination } from '../components/CursorPagination.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { useCursorPaging } from '../lib/cursor-paging.ts';
import { formatDateTime } from '../lib/format.ts';
import { AuditChainHead } from './audit/AuditChainHead.tsx';
import { AuditEventDialog } from './audit/AuditEventDialog.tsx';
import { AuditFilterForm } from './audit/AuditFilterForm.tsx';
import '../styles/trails.css';
import { TableScroller } from '../components/TableScroller.tsx';

export function AuditLogPage() {
  const { orgId = '' } = useParams();
  const [filters, setFilters] = useState<QueryParams>({});
  const paging = useCursorPaging(JSON.stringify(filters));
  const events = useAuditEvents(orgId, filters, paging.cursor);
  const emails = useMemberEmails(orgId).data;
  const [open, setOpen] = useState<AuditEvent | null>(null);

  const actorName = (event: AuditEvent): string => {
    if (event.actor.id === null) return event.actor.type;
    return (event.actor.type === 'user' ? emails?.get(event.actor.id) : undefined) ?? event.actor.id;
  };

  return (
    <section aria-labelledby="audit-title">
      <div className="page-title">
        <h1 id="audit-title">Audit log</h1>
        <div className="row">
          <a className="button secondary" href={auditExportUrl(orgId, filters, 'csv')} download>
            Export CSV
          </a>
          <a className="button secondary" href={auditExportUrl(orgId, filters, 'jsonl')} download>
            Export JSON Lines
          </a>
        </div>
      </div>
      <p className="muted">
        Every change made in this organization, newest first. Exports hold the events matching the filters, oldest first; each export is
        itself recorded here.
      </p>
      <AuditFilterForm onApply={setFilters} />
      <ErrorMessage error={events.error} />
      {events.isPending ? <Loading what="the audit log" /> : null}
      {events.isSuccess && events.data.events.length === 0 ? <p>No audit event matches these filters.</p> : null}
      {events.isSuccess && events.data.events.length > 0 ? (
        <TableScroller>
          <table className="audit-table">
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Outcome</th>
                <th scope="col">
                  <span className="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((event) => (
                <tr key={event.id} data-seq={event.seq}>
                  <td data-label="Time">{formatDateTime(event.occurredAt)}</td>
                  <td data-label="Actor">
                    {actorName(event)}
                    <span className="cell-hint">{event.actor.type}</span>
                  </td>
                  <td data-label="Action" className="audit-action">
                    <code>{event.action}</code>
                  </td>
                  <td data-label="Target">
                    {event.target === null ? '—' : event.target.type}
                    {event.target?.id ? <span className="cell-hint">{event.target.id}</span> : null}
                  </td>
                  <td data-label="Outcome">
                    <span className={`badge outcome-${event.outcome}`}>{event.outcome}</span>
                  </td>
                  <td className="actions">
                    <button
                      type="button"
                      className="secondary small"
                      onClick={() => setOpen(event)}
                      aria-label={`Details of ${event.action} at ${formatDateTime(event.occurredAt)}`}
                    >
                      Details
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroller>
      ) : null}
      <CursorPagination paging={paging} nextCursor={events.data?.nextCursor} label="Audit log" />
      <AuditChainHead orgId={orgId} />
      {open ? <AuditEventDialog event={open} actorName={actorName(open)} onClose={() => setOpen(null)} /> : null}
    </section>
  );
}
