/**
 * One project's API keys: masked, filterable by name and status, paged, each with its limits and how
 * much of them is used. Creating one shows the full key once (CreateKeyDialog); editing changes its
 * name, expiry, restrictions and limits (EditKeyDialog); revoking and deleting ask for confirmation
 * naming the key. The write actions are offered from developer up (api_keys:write); the api decides.
 */
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useApiKeys, useProjects } from '../api/queries.ts';
import { API_KEY_STATUSES, type ApiKey } from '../api/schemas.ts';
import { FilterSelect, SearchFilter } from '../components/FilterFields.tsx';
import { ListSection } from '../components/ListSection.tsx';
import { formatDate, formatDateTime } from '../lib/format.ts';
import { roleAtLeast, useOrgRole } from '../lib/org-role.ts';
import { usePaged } from '../lib/paging.ts';
import { CreateKeyDialog } from './api-keys/CreateKeyDialog.tsx';
import { DeleteKeyDialog } from './api-keys/DeleteKeyDialog.tsx';
import { EditKeyDialog } from './api-keys/EditKeyDialog.tsx';
import { KeyLimitsCell } from './api-keys/KeyLimitsCell.tsx';
import { RevokeKeyDialog } from './api-keys/RevokeKeyDialog.tsx';
import { RotateKeyDialog } from './api-keys/RotateKeyDialog.tsx';

type StatusFilter = 'all' | (typeof API_KEY_STATUSES)[number];

export function ApiKeysPage() {
  const { orgId = '', projectId = '' } = useParams();
  const keys = useApiKeys(orgId, projectId);
  const project = useProjects(orgId).data?.find((p) => p.id === projectId);
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [rotating, setRotating] = useState<ApiKey | null>(null);
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const [deleting, setDeleting] = useState<ApiKey | null>(null);
  // api_keys:write and usage:read both start at developer (src/auth/permissions.ts).
  const mayWrite = roleAtLeast(useOrgRole(orgId), 'developer');

  const needle = search.trim().toLowerCase();
  const filter = useCallback(
    (key: ApiKey) => (status === 'all' || key.status === status) && (needle === '' || key.name.toLowerCase().includes(needle)),
    [needle, status],
  );
  const paged = usePaged(keys.data ?? [], filter, `${needle}|${status}`);

  return (
    <section aria-labelledby="keys-title">
      <p className="breadcrumb">
        <Link to={`/orgs/${orgId}/projects`}>Projects</Link> / {project?.name ?? 'Project'}
      </p>
      <div className="page-title">
        <h1 id="keys-title">API keys{project ? ` of ${project.name}` : ''}</h1>
        {mayWrite ? (
          <button type="button" onClick={() => setCreating(true)}>
            Create API key
          </button>
        ) : null}
      </div>
      <p className="muted">Applications send these keys to the gateway. Only the last four characters are kept in view.</p>
      {mayWrite ? null : <p className="muted">Your role can see these keys; creating or changing them needs a developer or above.</p>}
      <div className="filters">
        <div>
          <SearchFilter id="key-search" label="Filter by name" value={search} onChange={setSearch} />
        </div>
        <FilterSelect
          id="key-status"
          label="Status"
          allValue="all"
          options={API_KEY_STATUSES}
          value={status}
          onChange={(e) => setStatus(e.target.value as StatusFilter)}
        />
      </div>
      <ListSection
        query={keys}
        paged={paged}
        label="API keys"
        loadingWhat="API keys"
        emptyMessage={keys.data?.length === 0 ? 'This project has no API key yet.' : 'No API key matches these filters.'}
        columns={['Name', 'Key', 'Status', 'Limits', 'Created', 'Last used', 'Expires']}
        withActions={mayWrite}
        tableClassName="keys-table"
      >
        {paged.items.map((key) => (
          <tr key={key.id} data-key-id={key.id}>
            <td data-label="Name" className="key-name">
              {key.name}
            </td>
            <td data-label="Key">
              <code className="masked-key" title={`Ends in ${key.last4}`}>
                {key.maskedKey}
              </code>
            </td>
            <td data-label="Status">
              <span className={`badge status-${key.status}`}>{key.status}</span>
              {key.previousKey ? (
                <span className="cell-hint">Old secret works until {formatDateTime(key.previousKey.expiresAt)}</span>
              ) : null}
            </td>
            <td data-label="Limits">
              <KeyLimitsCell orgId={orgId} apiKey={key} mayReadUsage={mayWrite} />
            </td>
            <td data-label="Created">{formatDate(key.createdAt)}</td>
            <td data-label="Last used">{formatDateTime(key.lastUsedAt)}</td>
            <td data-label="Expires">{formatDate(key.expiresAt)}</td>
            {mayWrite ? (
              <td className="actions">
                {key.status === 'revoked' ? null : (
                  <button type="button" className="secondary small" onClick={() => setEditing(key)} aria-label={`Edit ${key.name}`}>
                    Edit
                  </button>
                )}
                {key.status === 'active' || key.status === 'rotating' ? (
                  <button type="button" className="secondary small" onClick={() => setRotating(key)} aria-label={`Rotate ${key.name}`}>
                    Rotate
                  </button>
                ) : null}
                {key.status === 'revoked' ? null : (
                  <button type="button" className="danger small" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.name}`}>
                    Revoke
                  </button>
                )}
                <button type="button" className="danger small" onClick={() => setDeleting(key)} aria-label={`Delete ${key.name}`}>
                  Delete
                </button>
              </td>
            ) : null}
          </tr>
        ))}
      </ListSection>
      {creating ? <CreateKeyDialog orgId={orgId} projectId={projectId} onClose={() => setCreating(false)} /> : null}
      {rotating ? <RotateKeyDialog orgId={orgId} projectId={projectId} apiKey={rotating} onClose={() => setRotating(null)} /> : null}
      {editing ? <EditKeyDialog orgId={orgId} projectId={projectId} apiKey={editing} onClose={() => setEditing(null)} /> : null}
      {deleting ? <DeleteKeyDialog orgId={orgId} projectId={projectId} apiKey={deleting} onClose={() => setDeleting(null)} /> : null}
      {revoking ? <RevokeKeyDialog orgId={orgId} projectId={projectId} apiKey={revoking} onClose={() => setRevoking(null)} /> : null}
    </section>
  );
}
