/**
 * What the gateway's guardrails found and did, newest first, filtered and paged by the api (cursor).
 * Events hold where a finding was (a location and offsets), never the matched text: neither the api
 * nor this page has it. Members limited to some projects see only theirs (the api decides).
 */
import { useState } from 'react';
import { useParams } from 'react-router';
import { useApiKeyNames } from '../api/api-key-names.ts';
import { useGuardrailEvents, type QueryParams } from '../api/log-queries.ts';
import { useProjects } from '../api/queries.ts';
import { CursorPagination } from '../components/CursorPagination.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { useCursorPaging } from '../lib/cursor-paging.ts';
import { formatDateTime } from '../lib/format.ts';
import { GuardrailFilterForm } from './guardrail-events/GuardrailFilterForm.tsx';
import '../styles/trails.css';
import { TableScroller } from '../components/TableScroller.tsx';

export function GuardrailEventsPage() {
  const { orgId = '' } = useParams();
  const [filters, setFilters] = useState<QueryParams>({});
  const paging = useCursorPaging(JSON.stringify(filters));
  const events = useGuardrailEvents(orgId, filters, paging.cursor);
  const projects = useProjects(orgId).data ?? [];
  const projectName = new Map(projects.map((p) => [p.id, p.name] as const));
  const pageProjectIds = [...new Set((events.data?.events ?? []).flatMap((e) => (e.projectId === null ? [] : [e.projectId])))].sort();
  const keyNames = useApiKeyNames(orgId, pageProjectIds);

  return (
    <section aria-labelledby="violations-title">
      <h1 id="violations-title">Guardrail violations</h1>
      <p className="muted">
        One line per finding of the gateway&apos;s guardrails, newest first, with what was done about it. The matched text is never stored:
        only where it was.
      </p>
      <GuardrailFilterForm projects={projects} onApply={setFilters} />
      <ErrorMessage error={events.error} />
      {events.isPending ? <Loading what="guardrail violations" /> : null}
      {events.isSuccess && events.data.events.length === 0 ? <p>No guardrail violation matches these filters.</p> : null}
      {events.isSuccess && events.data.events.length > 0 ? (
        <TableScroller>
          <table className="violations-table">
            <caption className="visually-hidden">Guardrail violations, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Project</th>
                <th scope="col">API key</th>
                <th scope="col">Detector</th>
                <th scope="col">Category</th>
                <th scope="col">Action</th>
                <th scope="col">Direction</th>
                <th scope="col">Request id</th>
              </tr>
            </thead>
            <tbody>
              {events.data.events.map((event) => (
                <tr key={event.id}>
                  <td data-label="Time">{formatDateTime(event.createdAt)}</td>
                  <td data-label="Project">{event.projectId === null ? '—' : (projectName.get(event.projectId) ?? event.projectId)}</td>
                  <td data-label="API key">{event.apiKeyId === null ? '—' : (keyNames.get(event.apiKeyId) ?? event.apiKeyId)}</td>
                  <td data-label="Detector">{event.detector}</td>
                  <td data-label="Category">
                    {event.category ?? '—'}
                    <span className="cell-hint">rule {event.rule}</span>
                  </td>
                  <td data-label="Action">
                    <span className={`badge action-${event.action}`}>{event.action}</span>
                  </td>
                  <td data-label="Direction">
                    {event.direction}
                    <span className="cell-hint">at {event.location}</span>
                  </td>
                  <td data-label="Request id">
                    <code>{event.requestId}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroller>
      ) : null}
      <CursorPagination paging={paging} nextCursor={events.data?.nextCursor} label="Guardrail violations" />
    </section>
  );
}
