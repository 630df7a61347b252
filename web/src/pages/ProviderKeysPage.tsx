/**
 * The org's provider keys (what gateways use to call OpenAI, Anthropic, …): masked to their last four
 * characters, filterable by provider and name, paged. Adding or rotating takes the secret in a
 * write-only field; editing changes only the name, base URL, options (Azure) and projects; testing goes through the
 * gateway; deleting asks for a confirmation naming the key.
 */
import { useCallback, useState } from 'react';
import { useParams } from 'react-router';
import { useProviderKeys } from '../api/credential-queries.ts';
import { PROVIDER_IDS, type ProviderKey } from '../api/credential-schemas.ts';
import { useProjects } from '../api/queries.ts';
import { FilterSelect, SearchFilter } from '../components/FilterFields.tsx';
import { ListSection } from '../components/ListSection.tsx';
import { formatDate } from '../lib/format.ts';
import { mayManageCredentials, useOrgRole } from '../lib/org-role.ts';
import { usePaged } from '../lib/paging.ts';
import { AddProviderKeyDialog } from './provider-keys/AddProviderKeyDialog.tsx';
import { DeleteProviderKeyDialog } from './provider-keys/DeleteProviderKeyDialog.tsx';
import { EditProviderKeyDialog } from './provider-keys/EditProviderKeyDialog.tsx';
import { ProviderKeyOptionsSummary } from './provider-keys/ProviderKeyOptionsSummary.tsx';
import { ReplaceSecretDialog } from './provider-keys/ReplaceSecretDialog.tsx';
import { TestConnectionDialog } from './provider-keys/TestConnectionDialog.tsx';
import '../styles/credentials.css';

type Action = { kind: 'test' | 'edit' | 'rotate' | 'delete'; key: ProviderKey };

export function ProviderKeysPage() {
  const { orgId = '' } = useParams();
  const keys = useProviderKeys(orgId);
  const projects = useProjects(orgId);
  const mayManage = mayManageCredentials(useOrgRole(orgId));
  const [search, setSearch] = useState('');
  const [provider, setProvider] = useState('all');
  const [adding, setAdding] = useState(false);
  const [action, setAction] = useState<Action | null>(null);

  const needle = search.trim().toLowerCase();
  const filter = useCallback(
    (key: ProviderKey) => (provider === 'all' || key.provider === provider) && (needle === '' || key.label.toLowerCase().includes(needle)),
    [needle, provider],
  );
  const paged = usePaged(keys.data ?? [], filter, `${needle}|${provider}`);
  const projectNames = (ids: string[]) =>
    ids.length === 0 ? 'All projects' : ids.map((id) => projects.data?.find((p) => p.id === id)?.name ?? 'a project').join(', ');

  return (
    <section aria-labelledby="provider-keys-title">
      <div className="page-title">
        <h1 id="provider-keys-title">Provider keys</h1>
        {mayManage ? (
          <button type="button" onClick={() => setAdding(true)}>
            Add provider key
          </button>
        ) : null}
      </div>
      {mayManage ? null : (
        <p className="notice">Only owners and admins of the organization can add, test, rotate or delete provider keys.</p>
      )}
      <p className="muted">
        The keys gateways use to call model providers, encrypted at rest. They are write-only: only the last four characters are ever shown.
      </p>
      <div className="filters">
        <div>
          <SearchFilter id="provider-key-search" label="Filter by name" value={search} onChange={setSearch} />
        </div>
        <FilterSelect
          id="provider-key-provider"
          label="Provider"
          allValue="all"
          options={PROVIDER_IDS}
          value={provider}
          onChange={(e) => setProvider(e.target.value)}
        />
      </div>
      <ListSection
        query={keys}
        paged={paged}
        label="Provider keys"
        loadingWhat="provider keys"
        emptyMessage={keys.data?.length === 0 ? 'This organization has no provider key yet.' : 'No provider key matches these filters.'}
        columns={['Provider', 'Name', 'Key', 'Base URL', 'Projects', 'Created']}
        withActions
        tableClassName="keys-table"
      >
        {paged.items.map((key) => (
          <tr key={key.id} data-provider-key-id={key.id}>
            <td data-label="Provider">{key.provider}</td>
            <td data-label="Name" className="key-name">
              {key.label}
            </td>
            <td data-label="Key">
              <code className="masked-key" title={`Ends in ${key.last4}`}>
                ••••{key.last4}
              </code>
            </td>
            <td data-label="Base URL" className="base-url">
              {key.baseUrl ?? <span className="muted">Provider default</span>}
              <ProviderKeyOptionsSummary providerKey={key} />
            </td>
            <td data-label="Projects">{projectNames(key.projectIds)}</td>
            <td data-label="Created">{formatDate(key.createdAt)}</td>
            <td className="actions">
              {mayManage ? (
                <>
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => setAction({ kind: 'test', key })}
                    aria-label={`Test ${key.label}`}
                  >
                    Test
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => setAction({ kind: 'edit', key })}
                    aria-label={`Edit ${key.label}`}
                  >
                    Edit
                  </button>
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => setAction({ kind: 'rotate', key })}
                    aria-label={`Rotate ${key.label}`}
                  >
                    Rotate
                  </button>
                  <button
                    type="button"
                    className="danger small"
                    onClick={() => setAction({ kind: 'delete', key })}
                    aria-label={`Delete ${key.label}`}
                  >
                    Delete
                  </button>
                </>
              ) : null}
            </td>
          </tr>
        ))}
      </ListSection>
      {adding ? <AddProviderKeyDialog orgId={orgId} onClose={() => setAdding(false)} /> : null}
      {action?.kind === 'test' ? <TestConnectionDialog orgId={orgId} providerKey={action.key} onClose={() => setAction(null)} /> : null}
      {action?.kind === 'edit' ? (
        <EditProviderKeyDialog orgId={orgId} providerKey={action.key} projects={projects.data ?? []} onClose={() => setAction(null)} />
      ) : null}
      {action?.kind === 'rotate' ? <ReplaceSecretDialog orgId={orgId} providerKey={action.key} onClose={() => setAction(null)} /> : null}
      {action?.kind === 'delete' ? (
        <DeleteProviderKeyDialog orgId={orgId} providerKey={action.key} onClose={() => setAction(null)} />
      ) : null}
    </section>
  );
}
