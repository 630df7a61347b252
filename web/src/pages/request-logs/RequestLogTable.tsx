/**
 * One page of request logs as a table (one card per row on a phone), API keys and projects by name
 * where the dashboard knows them, and a Details button per row. Ten columns fit a laptop's width:
 * the provider sits under the model, streaming and the first token's time under the latency, and
 * an endpoint may wrap at its slashes. The detail dialog has every field on its own line.
 */
import { Fragment } from 'react';
import type { RequestLog } from '../../api/request-log-schemas.ts';
import { formatDateTime } from '../../lib/format.ts';
import { DASH, formatCost, formatMs, formatTokens, statusClass } from './request-log-format.ts';
import { TableScroller } from '../../components/TableScroller.tsx';

type Props = {
  logs: readonly RequestLog[];
  projectName: (id: string | null) => string;
  keyName: (id: string | null) => string;
  onOpen: (log: RequestLog) => void;
};

const COLUMNS = ['Time', 'Project', 'API key', 'Endpoint', 'Model', 'Status', 'Latency', 'Tokens', 'Cost', 'Cache'];

/** Worth a line only when the provider served something else than asked (not just `gpt-x` for `openai/gpt-x`). */
const servedDiffers = ({ model, servedModel }: RequestLog): boolean =>
  servedModel !== null && model !== servedModel && !model?.endsWith(`/${servedModel}`);

/** `/v1/chat/completions`, allowed to break before each slash in a narrow column. */
function Endpoint({ path }: { path: string }) {
  return (
    <code>
      {path.split('/').map((part, index) => (
        <Fragment key={index}>
          {index === 0 ? null : (
            <>
              <wbr />/
            </>
          )}
          {part}
        </Fragment>
      ))}
    </code>
  );
}

export function RequestLogTable({ logs, projectName, keyName, onOpen }: Props) {
  return (
    <TableScroller>
      <table className="request-logs-table">
        <caption className="visually-hidden">Request logs, newest first</caption>
        <thead>
          <tr>
            {COLUMNS.map((column) => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {logs.map((log) => (
            <tr key={log.id} data-request-id={log.requestId}>
              <td data-label="Time">{formatDateTime(log.createdAt)}</td>
              <td data-label="Project">{projectName(log.projectId)}</td>
              <td data-label="API key">{keyName(log.apiKeyId)}</td>
              <td data-label="Endpoint">
                <Endpoint path={log.endpoint} />
              </td>
              <td data-label="Model">
                {log.model ?? DASH}
                {log.provider === null ? null : <span className="cell-hint">via {log.provider}</span>}
                {servedDiffers(log) ? <span className="cell-hint">served {log.servedModel}</span> : null}
              </td>
              <td data-label="Status">
                <span className={`badge ${statusClass(log.status)}`}>{log.status}</span>
                {log.errorCode === null ? null : <span className="cell-hint">{log.errorCode}</span>}
              </td>
              <td data-label="Latency">
                {formatMs(log.latencyMs)}
                {log.stream ? <span className="cell-hint">streamed, first token {formatMs(log.ttftMs)}</span> : null}
              </td>
              <td data-label="Tokens">{formatTokens(log)}</td>
              <td data-label="Cost">{formatCost(log.costUsd)}</td>
              <td data-label="Cache">{log.cacheStatus ?? DASH}</td>
              <td className="actions">
                <button
                  type="button"
                  className="secondary small"
                  onClick={() => onOpen(log)}
                  aria-label={`Details of request ${log.requestId} at ${formatDateTime(log.createdAt)}`}
                >
                  Details
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroller>
  );
}
