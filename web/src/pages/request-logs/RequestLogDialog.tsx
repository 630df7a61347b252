/**
 * One request in full: every field of its log row, then its bodies (or why they cannot be shown).
 * The row comes from the list; whether bodies are stored needs the api's one-row answer.
 */
import { Fragment, type ReactNode } from 'react';
import { useRequestLog } from '../../api/request-log-queries.ts';
import type { RequestLog } from '../../api/request-log-schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { roleAtLeast, useOrgRole } from '../../lib/org-role.ts';
import { RequestLogBodies } from './RequestLogBodies.tsx';
import { DASH, formatCost, formatCount, formatMs } from './request-log-format.ts';

type Props = {
  orgId: string;
  log: RequestLog;
  projectName: (id: string | null) => string;
  keyName: (id: string | null) => string;
  onClose: () => void;
};

/** A name with its id under it, for people who will search for either. */
function Named({ name, id }: { name: string; id: string | null }) {
  if (id === null) return <>{DASH}</>;
  return (
    <>
      {name}
      {name === id ? null : <span className="cell-hint">{id}</span>}
    </>
  );
}

/** Reconciling with a provider's invoice: whose token figures these are. */
const USAGE_SOURCE = {
  provider: 'the provider’s usage report',
  gateway: 'Portcullis, from what a cut stream delivered',
  none: DASH,
} as const;

export function RequestLogDialog({ orgId, log, projectName, keyName, onClose }: Props) {
  const detail = useRequestLog(orgId, log.id);
  const role = useOrgRole(orgId);
  const fields: [string, ReactNode][] = [
    ['When', formatDateTime(log.createdAt)],
    ['Request id', <code key="request-id">{log.requestId}</code>],
    ['Project', <Named key="project" name={projectName(log.projectId)} id={log.projectId} />],
    ['API key', <Named key="api-key" name={keyName(log.apiKeyId)} id={log.apiKeyId} />],
    ['Endpoint', <code key="endpoint">{log.endpoint}</code>],
    ['Model asked for', log.model ?? DASH],
    ['Model served', log.servedModel ?? DASH],
    ['Provider', log.provider ?? DASH],
    ['Upstream attempts', formatCount(log.attempts)],
    ['Streamed', log.stream ? 'Yes' : 'No'],
    ['Status', String(log.status)],
    ['Error code', log.errorCode ?? 'None'],
    ['Latency', formatMs(log.latencyMs)],
    ['Time to first token', formatMs(log.ttftMs)],
    ['Input tokens', formatCount(log.inputTokens)],
    ['Output tokens', formatCount(log.outputTokens)],
    ['Cached input tokens', formatCount(log.cachedInputTokens)],
    ['Cache-write input tokens', formatCount(log.cacheWriteInputTokens)],
    ['Reasoning tokens', formatCount(log.reasoningTokens)],
    ['Usage counted by', USAGE_SOURCE[log.usageSource ?? 'none']],
    ['Cost', formatCost(log.costUsd)],
    ['Response cache', log.cacheStatus ?? DASH],
    ['Log id', <code key="log-id">{log.id}</code>],
  ];

  return (
    <Dialog title={`Request ${log.requestId}`} onClose={onClose} className="wide-dialog">
      <dl className="details request-log-details">
        {fields.map(([term, value]) => (
          <Fragment key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </Fragment>
        ))}
      </dl>
      <h3>Bodies</h3>
      <ErrorMessage error={detail.error} />
      {detail.isPending ? <Loading what="whether bodies are stored" /> : null}
      {detail.data ? (
        <RequestLogBodies
          orgId={orgId}
          requestLogId={log.id}
          bodyStored={detail.data.bodyStored}
          mayRead={roleAtLeast(role, 'admin')}
          role={role}
        />
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
