/**
 * The instance administrators: granted by the email of an existing account, revoked after a
 * confirmation. The api keeps at least one (409 last_admin) and says so in its own words.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState, type FormEvent } from 'react';
import { request, requestVoid, seg } from '../../api/client.ts';
import { instanceQueryKeys, useInstanceAdmins } from '../../api/instance-queries.ts';
import { instanceAdminSchema, type InstanceAdmin } from '../../api/instance-schemas.ts';
import { queryKeys, useMe } from '../../api/queries.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ListSection } from '../../components/ListSection.tsx';
import { formatDate } from '../../lib/format.ts';
import { formText } from '../../lib/form.ts';
import { usePaged } from '../../lib/paging.ts';
import { useSubmission } from '../../lib/submission.ts';

export function InstanceAdminsSection() {
  const admins = useInstanceAdmins(true);
  const me = useMe();
  const everyAdmin = useCallback(() => true, []);
  const paged = usePaged(admins.data ?? [], everyAdmin, '');
  const [revoking, setRevoking] = useState<InstanceAdmin | null>(null);
  const emailOf = (userId: string | null) =>
    userId === null ? 'the setup link' : (admins.data?.find((a) => a.userId === userId)?.email ?? 'a former administrator');

  return (
    <section aria-labelledby="admins-title" className="admin-section">
      <h2 id="admins-title">Instance administrators</h2>
      <GrantAdminForm />
      <ListSection
        query={admins}
        paged={paged}
        label="Instance administrators"
        loadingWhat="administrators"
        emptyMessage="No administrator is listed."
        columns={['Name', 'Email', 'Since', 'Granted by']}
        withActions
      >
        {paged.items.map((admin) => (
          <tr key={admin.userId} data-admin-email={admin.email}>
            <td data-label="Name">{admin.name}</td>
            <td data-label="Email">
              {admin.email}
              {admin.userId === me.data?.user.id ? <span className="cell-hint">you</span> : null}
            </td>
            <td data-label="Since">{formatDate(admin.grantedAt)}</td>
            <td data-label="Granted by">{emailOf(admin.grantedBy)}</td>
            <td className="actions">
              <button type="button" className="danger small" onClick={() => setRevoking(admin)} aria-label={`Revoke ${admin.email}`}>
                Revoke
              </button>
            </td>
          </tr>
        ))}
      </ListSection>
      {revoking ? (
        <RevokeAdminDialog admin={revoking} isSelf={revoking.userId === me.data?.user.id} onClose={() => setRevoking(null)} />
      ) : null}
    </section>
  );
}

function GrantAdminForm() {
  const queryClient = useQueryClient();
  const { error, busy, run, refuse } = useSubmission();
  const [granted, setGranted] = useState<string | null>(null);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setGranted(null);
    const email = formText(new FormData(form), 'email').trim();
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) return refuse(new Error('Enter the email address of an existing account.'));
    run(async () => {
      const admin = await request('POST', '/api/instance/admins', instanceAdminSchema, { body: { email } });
      await queryClient.invalidateQueries({ queryKey: instanceQueryKeys.admins });
      form.reset();
      setGranted(admin.email);
    });
  }

  return (
    <form onSubmit={onSubmit} noValidate className="filters" aria-label="Grant instance administration">
      <div>
        <label htmlFor="grant-admin-email">Email of an existing account</label>
        <input id="grant-admin-email" name="email" type="email" maxLength={254} autoComplete="off" />
      </div>
      <div className="row">
        <button type="submit" disabled={busy}>
          {busy ? 'Granting…' : 'Make instance admin'}
        </button>
      </div>
      <div className="form-messages">
        <ErrorMessage error={error} />
        {granted === null ? null : (
          <p className="notice" role="status">
            {granted} is now an instance administrator.
          </p>
        )}
      </div>
    </form>
  );
}

function RevokeAdminDialog({ admin, isSelf, onClose }: { admin: InstanceAdmin; isSelf: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => requestVoid('DELETE', `/api/instance/admins/${seg(admin.userId)}`),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: instanceQueryKeys.admins });
      // Revoking oneself ends this page's access: /api/me says so and the header loses its link.
      if (isSelf) await queryClient.invalidateQueries({ queryKey: queryKeys.me });
      onClose();
    },
  });
  return (
    <ConfirmDialog
      title={`Revoke instance administration from ${admin.email}?`}
      confirmLabel="Revoke administrator"
      onConfirm={() => revoke.mutate()}
      onCancel={onClose}
      busy={revoke.isPending}
      error={revoke.error ?? undefined}
    >
      <p>
        {isSelf ? 'You' : admin.email} can no longer change the sign-up mode, plans or administrators, from the next request on. The
        account, its memberships and sessions stay.
      </p>
    </ConfirmDialog>
  );
}
