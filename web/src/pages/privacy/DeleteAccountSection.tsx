/**
 * Deleting the account (GDPR erasure): the user types their email to confirm, in a dialog. The api
 * insists on a sign-in in the last 15 minutes and refuses while the user is an org's only owner or
 * the only instance administrator; each refusal says what to do. Success ends every session and
 * returns to the sign-in page.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { accountDeletedSchema } from '../../api/account-schemas.ts';
import { ApiError, request, requestVoid } from '../../api/client.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';

/** What a refusal means for this person, beyond the api's own sentence. */
function deletionError(error: unknown): unknown {
  if (!(error instanceof ApiError)) return error;
  if (error.code === 'reauthentication_required')
    return new ReauthenticationNeeded(
      'For your safety, deleting the account needs a sign-in from the last 15 minutes. Sign in again, then come back here.',
    );
  if (error.code === 'sole_owner')
    return new Error(`${error.message} Open the organization’s Members page to make someone else an owner, or delete the organization.`);
  if (error.code === 'last_instance_admin')
    return new Error('You are the only instance administrator. Make someone else an administrator (Instance admin page) first.');
  if (error.code === 'confirmation_mismatch') return new Error('That is not your account’s email address. Type it exactly to confirm.');
  return error;
}

class ReauthenticationNeeded extends Error {}

function DeleteAccountDialog({ email, onClose }: { email: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const { error, busy, run, refuse } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const confirm = formText(new FormData(event.currentTarget), 'confirm').trim();
    if (confirm.toLowerCase() !== email.toLowerCase()) return refuse(new Error(`Type your email address (${email}) to confirm.`));
    run(async () => {
      try {
        await request('DELETE', '/api/me', accountDeletedSchema, { body: { confirm } });
      } catch (caught) {
        throw deletionError(caught);
      }
      queryClient.clear();
      await navigate('/login', { replace: true, state: { accountDeleted: true } });
    });
  }

  function signInAgain() {
    run(async () => {
      await requestVoid('POST', '/api/auth/sign-out', { body: {} });
      queryClient.clear();
      await navigate('/login', { replace: true, state: { from: '/account/privacy' } });
    });
  }

  return (
    <Dialog
      title="Delete your account?"
      onClose={onClose}
      description={
        <p>
          This cannot be undone. Your memberships, sessions, passkeys and sign-in methods go; your personal API keys and the admin tokens
          you created are revoked; what the audit trail recorded about you can no longer be read.
        </p>
      }
    >
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        {error instanceof ReauthenticationNeeded ? (
          <div>
            <button type="button" className="secondary" onClick={signInAgain} disabled={busy}>
              Sign in again
            </button>
          </div>
        ) : null}
        <label htmlFor="delete-confirm">Type your email address to confirm</label>
        <input id="delete-confirm" name="confirm" type="email" autoComplete="off" maxLength={320} placeholder={email} />
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Delete my account" busyLabel="Deleting…" destructive />
      </form>
    </Dialog>
  );
}

export function DeleteAccountSection({ email }: { email: string }) {
  const [open, setOpen] = useState(false);
  return (
    <section aria-labelledby="delete-title" className="account-section danger-zone">
      <h2 id="delete-title">Delete your account</h2>
      <p>
        Erases your account and your personal data. If you are the only owner of an organization, transfer ownership (or delete the
        organization) first. You need to have signed in within the last 15 minutes.
      </p>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        Delete my account…
      </button>
      {open ? <DeleteAccountDialog email={email} onClose={() => setOpen(false)} /> : null}
    </section>
  );
}
