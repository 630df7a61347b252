/**
 * Creates an admin token (for scripts and CI calling /api), then shows it once. As with API keys, the
 * token lives only in this component's state: not in the query cache, storage or the address.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request, seg } from '../../api/client.ts';
import { credentialQueryKeys } from '../../api/credential-queries.ts';
import { issuedAdminTokenSchema, MEMBER_ROLES, type MemberRole } from '../../api/credential-schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ExpiryDateField } from '../../components/ExpiryDateField.tsx';
import { chosenExpiry } from '../../lib/expiry.ts';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';
import { NewKeyPanel } from '../api-keys/NewKeyPanel.tsx';

/** The roles at or below `role` (the api refuses a higher one anyway: this only keeps the choice honest). */
function grantableRoles(role: string): MemberRole[] {
  const index = MEMBER_ROLES.findIndex((r) => r === role);
  return index === -1 ? [] : MEMBER_ROLES.slice(index);
}

type Props = { orgId: string; userRole: string; onClose: () => void };

export function CreateAdminTokenDialog({ orgId, userRole, onClose }: Props) {
  const queryClient = useQueryClient();
  const roles = grantableRoles(userRole);
  const [issued, setIssued] = useState<{ name: string; token: string } | null>(null);
  const { error, busy, run, refuse } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = formText(data, 'name').trim();
    const role = formText(data, 'role');
    const expiry = formText(data, 'expiresOn');
    if (name === '') return refuse(new Error('Give the token a name, so you can tell your tokens apart.'));
    const expiresAt = chosenExpiry(expiry);
    if (expiresAt instanceof Error) return refuse(expiresAt);
    run(async () => {
      const result = await request('POST', `/api/orgs/${seg(orgId)}/admin-tokens`, issuedAdminTokenSchema, {
        body: { name, role, ...(expiresAt === null ? {} : { expiresAt }) },
      });
      setIssued({ name: result.adminToken.name, token: result.token });
      await queryClient.invalidateQueries({ queryKey: credentialQueryKeys.adminTokens(orgId) });
    });
  }

  if (issued !== null) {
    return (
      <Dialog title={`Admin token “${issued.name}” created`} onClose={onClose} className="new-key-dialog">
        <NewKeyPanel secret={issued.token} onDone={onClose} noun="admin token" shortNoun="token" />
      </Dialog>
    );
  }
  return (
    <Dialog title="Create an admin token" onClose={onClose}>
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <label htmlFor="token-name">Name</label>
        <input id="token-name" name="name" required maxLength={100} autoComplete="off" placeholder="e.g. terraform" autoFocus />
        <label htmlFor="token-role">Role</label>
        <select
          id="token-role"
          name="role"
          defaultValue={roles.includes('viewer') ? 'viewer' : roles[0]}
          aria-describedby="token-role-hint"
        >
          {roles.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </select>
        <p id="token-role-hint" className="hint">
          What the token may do in this organization, as a member of that role would. No higher than your own role ({userRole}).
        </p>
        <ExpiryDateField id="token-expiry" noun="token" />
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Create token" busyLabel="Creating…" />
      </form>
    </Dialog>
  );
}
