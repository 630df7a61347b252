/**
 * OIDC group mapping (PUT …/security `oidcGroupRoles`, owners only): at every OIDC sign-in, a member of a
 * mapped group gets its role here (the highest wins), and loses a mapped role when in none of the groups.
 * Edited as a working copy and saved as a whole, so a half-made change never reaches the api. The copy
 * starts from the mapping read when the page opened; the save answer becomes the cached mapping.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { oidcQueryKeys, saveOidcGroupRoles, useOidcGroupRoles } from '../../api/oidc-queries.ts';
import { MAX_OIDC_GROUP_NAME, MAX_OIDC_GROUPS, OIDC_GROUP_ROLES, type OidcGroupRole, type OidcGroupRoles } from '../../api/oidc-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { useSubmission } from '../../lib/submission.ts';

const isRole = (value: string): value is OidcGroupRole => OIDC_GROUP_ROLES.some((role) => role === value);

export function OidcGroupRolesSection({ orgId, mayWrite }: { orgId: string; mayWrite: boolean }) {
  const mapping = useOidcGroupRoles(orgId);
  return (
    <section aria-labelledby="oidc-groups-title" className="admin-section">
      <h2 id="oidc-groups-title">OIDC group mapping</h2>
      <p className="hint">
        At every single sign-on through OIDC, members of these groups get the role here (the highest of their groups); someone in none of
        them loses a role the mapping gave. Owners are never granted this way. Empty: OIDC groups are ignored.
      </p>
      <ErrorMessage error={mapping.error} />
      {mapping.isPending ? <Loading what="the group mapping" /> : null}
      {mapping.data === undefined ? null : mayWrite ? (
        <GroupRolesEditor orgId={orgId} current={mapping.data} />
      ) : (
        <GroupRolesList mapping={mapping.data} />
      )}
    </section>
  );
}

function GroupRolesList({ mapping }: { mapping: OidcGroupRoles }) {
  const entries = Object.entries(mapping);
  if (entries.length === 0) return <p className="muted">No group is mapped.</p>;
  return (
    <ul className="group-roles" aria-label="Mapped groups">
      {entries.map(([group, role]) => (
        <li key={group}>
          <code>{group}</code> <span>{role}</span>
        </li>
      ))}
    </ul>
  );
}

function GroupRolesEditor({ orgId, current }: { orgId: string; current: OidcGroupRoles }) {
  const queryClient = useQueryClient();
  const [entries, setEntries] = useState<[string, OidcGroupRole][]>(() => Object.entries(current));
  const [newGroup, setNewGroup] = useState('');
  const [newRole, setNewRole] = useState<OidcGroupRole>('developer');
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const { error, busy, run } = useSubmission();
  const edit = (next: [string, OidcGroupRole][]) => {
    setEntries(next);
    setSaved(false);
  };

  function addGroup() {
    const group = newGroup.trim();
    if (group === '') return setProblem('Type the group’s name as your identity provider sends it.');
    if (group.length > MAX_OIDC_GROUP_NAME) return setProblem(`A group name has at most ${MAX_OIDC_GROUP_NAME} characters.`);
    if (entries.some(([other]) => other === group)) return setProblem(`The group “${group}” is already mapped.`);
    if (entries.length >= MAX_OIDC_GROUPS) return setProblem(`At most ${MAX_OIDC_GROUPS} groups can be mapped.`);
    edit([...entries, [group, newRole]]);
    setNewGroup('');
    setProblem(null);
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    run(async () => {
      const updated = await saveOidcGroupRoles(orgId, Object.fromEntries(entries));
      queryClient.setQueryData(oidcQueryKeys.groupRoles(orgId), updated);
      setSaved(true);
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate className="stack" aria-label="OIDC group mapping">
      {entries.length === 0 ? <p className="muted">No group is mapped.</p> : null}
      <ul className="group-roles" aria-label="Mapped groups">
        {entries.map(([group, role], index) => (
          <li key={group}>
            <code>{group}</code>
            <label className="visually-hidden" htmlFor={`oidc-group-role-${index}`}>
              Role for {group}
            </label>
            <select
              id={`oidc-group-role-${index}`}
              value={role}
              onChange={(e) => {
                const next = e.target.value;
                if (isRole(next)) edit(entries.map(([g, r]) => [g, g === group ? next : r]));
              }}
            >
              {OIDC_GROUP_ROLES.map((option) => (
                <option key={option} value={option}>
                  {option}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="danger small"
              onClick={() => edit(entries.filter(([other]) => other !== group))}
              aria-label={`Remove the group ${group}`}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <div className="group-role-add">
        <div>
          <label htmlFor="oidc-new-group">Group name</label>
          <input
            id="oidc-new-group"
            value={newGroup}
            maxLength={MAX_OIDC_GROUP_NAME}
            onChange={(e) => setNewGroup(e.target.value)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              e.preventDefault();
              addGroup();
            }}
          />
        </div>
        <div>
          <label htmlFor="oidc-new-role">Role</label>
          <select id="oidc-new-role" value={newRole} onChange={(e) => isRole(e.target.value) && setNewRole(e.target.value)}>
            {OIDC_GROUP_ROLES.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="secondary" onClick={addGroup}>
          Add group
        </button>
      </div>
      {problem === null ? null : (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <ErrorMessage error={error} />
      <p role="status" className="muted">
        {saved ? 'Group mapping saved.' : ''}
      </p>
      <div className="row">
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : 'Save group mapping'}
        </button>
      </div>
    </form>
  );
}
