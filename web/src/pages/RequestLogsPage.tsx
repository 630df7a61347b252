/**
 * The gateway's request logs, newest first, filtered and paged by the api (cursor), with the filters
 * in the address so a link reopens the same view. Each row opens in full; its bodies, when the
 * project stored them, are shown to owners and admins on request (every read audited by the api).
 * Export CSV downloads the filtered rows (never a body). Members limited to some projects see only
 * theirs: the api decides.
 */
import { useState } from 'react';
import { useParams } from 'react-router';
import { useApiKeyNames } from '../api/api-key-names.ts';
import { useProjects } from '../api/queries.ts';
import { requestLogExportUrl, useRequestLogs } from '../api/request-log-queries.ts';
import type { RequestLog } from '../api/request-log-schemas.ts';
import { CursorPagination } from '../components/CursorPagination.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { useCursorPaging } from '../lib/cursor-paging.ts';
import { RequestLogDialog } from './request-logs/RequestLogDialog.tsx';
import { RequestLogFilterForm } from './request-logs/RequestLogFilterForm.tsx';
import { RequestLogTable } from './request-logs/RequestLogTable.tsx';
import { DASH } from './request-logs/request-log-format.ts';
import { useUrlFilters } from './request-logs/useUrlFilters.ts';
import '../styles/trails.css';

export function RequestLogsPage() {
  const { orgId = '' } = useParams();
  const { filters, filterKey, apply } = useUrlFilters();
  const paging = useCursorPaging(filterKey);
  const logs = useRequestLogs(orgId, filters, paging.cursor);
  const projects = useProjects(orgId).data ?? [];
  const projectNames = new Map(projects.map((p) => [p.id, p.name] as const));
  const rows = logs.data?.requestLogs ?? [];
  const pageProjectIds = [...new Set(rows.flatMap((log) => (log.projectId === null ? [] : [log.projectId])))].sort();
  const keyNames = useApiKeyNames(orgId, pageProjectIds);
  const [open, setOpen] = useState<RequestLog | null>(null);

  const projectName = (id: string | null) => (id === null ? DASH : (projectNames.get(id) ?? id));
  const keyName = (id: string | null) => (id === null ? DASH : (keyNames.get(id) ?? id));
  const filtered = Object.keys(filters).length > 0;

  return (
    <section aria-labelledby="request-logs-title">
      <div className="page-title">
        <h1 id="request-logs-title">Request logs</h1>
        <a className="button secondary" href={requestLogExportUrl(orgId, filters)} download>
          Export CSV
        </a>
      </div>
      <p className="muted">
        One line per request through the gateway, newest first. The export holds every row matching the filters, without bodies.
      </p>
      {/* Keyed on the filters: Back, Clear or a new link start the fields again from the address. */}
      <RequestLogFilterForm key={filterKey} orgId={orgId} projects={projects} initial={filters} onApply={apply} />
      <ErrorMessage error={logs.error} />
      {logs.isPending ? <Loading what="the request logs" /> : null}
      {logs.isSuccess && rows.length === 0 ? (
        <p>{filtered ? 'No request matches these filters.' : 'No request has gone through the gateway for this organization yet.'}</p>
      ) : null}
      {logs.isSuccess && rows.length > 0 ? (
        <RequestLogTable logs={rows} projectName={projectName} keyName={keyName} onOpen={setOpen} />
      ) : null}
      <CursorPagination paging={paging} nextCursor={logs.data?.nextCursor} label="Request logs" />
      {open ? (
        <RequestLogDialog
          key={open.id}
          orgId={orgId}
          log={open}
          projectName={projectName}
          keyName={keyName}
          onClose={() => setOpen(null)}
        />
      ) : null}
    </section>
  );
}
