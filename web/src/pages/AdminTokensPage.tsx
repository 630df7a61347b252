/**
 * The org's admin tokens (bearer credentials for /api, for scripts and CI): masked, filterable by name
 * and status, paged. Creating one shows it once; revoking asks for a confirmation naming the token.
 */
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import { useAdminTokens } from '../api/credential-queries.ts';
import { ADMIN_TOKEN_STATUSES, type AdminToken } from '../api/credential-schemas.ts';
import { FilterSelect, SearchFilter } from '../components/FilterFields.tsx';
import { ListSection } from '../components/ListSection.tsx';
import { formatDate, formatDateTime } from '../lib/format.ts';
import { mayManageCredentials, useOrgRole } from '../lib/org-role.ts';
import { usePaged } from '../lib/paging.ts';
import { CreateAdminTokenDialog } from './admin-tokens/CreateAdminTokenDialog.tsx';
import { RevokeAdminTokenDialog } from './admin-tokens/RevokeAdminTokenDialog.tsx';

type StatusFilter = 'all' | (typeof ADMIN_TOKEN_STATUSES)[number];

export function AdminTokensPage() {
  const { orgId = '' } = useParams();
  const tokens = useAdminTokens(orgId);
  const userRole = useOrgRole(orgId);
  const mayManage = mayManageCredentials(userRole);
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<StatusFilter>('all');
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<AdminToken | null>(null);

  const needle = search.trim().toLowerCase();
  const filter = useCallback(
    (token: AdminToken) => (status === 'all' || token.status === status) && (needle === '' || token.name.toLowerCase().includes(needle)),
    [needle, status],
  );
  const paged = usePaged(tokens.data ?? [], filter, `${needle}|${status}`);

  return (
    <section aria-labelledby="tokens-title">
      <div className="page-title">
        <h1 id="tokens-title">Admin tokens</h1>
        {mayManage ? (
          <button type="button" onClick={() => setCreating(true)}>
            Create admin token
          </button>
        ) : null}
      </div>
      <p className="muted">
        Scripts and CI send these to the management api (<code>Authorization: Bearer …</code>) and act with the token’s role. Only a mask is
        kept in view.
      </p>
      <div className="filters">
        <div>
          <SearchFilter id="token-search" label="Filter by name" value={search} onChange={setSearch} />
        </div>
        <FilterSelect
          id="token-status"
          label="Status"
          allValue="all"
          options={ADMIN_TOKEN_STATUSES}
          value={status}
          onChange={(e) => setStatus(e.target.value as StatusFilter)}
        />
      </div>
      <ListSection
        query={tokens}
        paged={paged}
        label="Admin tokens"
        loadingWhat="admin tokens"
        emptyMessage={tokens.data?.length === 0 ? 'This organization has no admin token yet.' : 'No admin token matches these filters.'}
        columns={['Name', 'Token', 'Role', 'Status', 'Created', 'Expires', 'Last used']}
        withActions
        tableClassName="keys-table"
      >
        {paged.items.map((token) => (
          <tr key={token.id} data-admin-token-id={token.id}>
            <td data-label="Name" className="key-name">
              {token.name}
            </td>
            <td data-label="Token">
              <code className="masked-key" title={`Ends in ${token.last4}`}>
                {token.maskedToken}
              </code>
            </td>
            <td data-label="Role">{token.role}</td>
            <td data-label="Status">
              <span className={`badge status-${token.status}`}>{token.status}</span>
            </td>
            <td data-label="Created">{formatDate(token.createdAt)}</td>
            <td data-label="Expires">{formatDate(token.expiresAt)}</td>
            <td data-label="Last used">{formatDateTime(token.lastUsedAt)}</td>
            <td className="actions">
              {token.status === 'revoked' || !mayManage ? null : (
                <button type="button" className="danger small" onClick={() => setRevoking(token)} aria-label={`Revoke ${token.name}`}>
                  Revoke
                </button>
              )}
            </td>
          </tr>
        ))}
      </ListSection>
      {creating ? <CreateAdminTokenDialog orgId={orgId} userRole={userRole} onClose={() => setCreating(false)} /> : null}
      {revoking ? <RevokeAdminTokenDialog orgId={orgId} adminToken={revoking} onClose={() => setRevoking(null)} /> : null}
    </section>
  );
}
