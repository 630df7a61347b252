/**
 * Changing the password: the current one and a new one (the api's policy decides, and says why it
 * refuses). Every other session ends; this browser gets a new session cookie. Neither password is
 * kept in state: the form is read on submit and emptied.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { accountQueryKeys } from '../../api/account-queries.ts';
import { anyJsonSchema } from '../../api/schemas.ts';
import { request } from '../../api/client.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';
import { accountErrorMessage } from './account-errors.ts';

export function PasswordSection() {
  const queryClient = useQueryClient();
  const { error, busy, run, refuse } = useSubmission();
  const [changed, setChanged] = useState(false);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const currentPassword = formText(data, 'currentPassword');
    const newPassword = formText(data, 'newPassword');
    const repeated = formText(data, 'repeatPassword');
    setChanged(false);
    if (currentPassword === '' || newPassword === '') return refuse(new Error('Enter your current password and a new one.'));
    if (newPassword !== repeated) return refuse(new Error('The two new passwords are not the same.'));
    form.reset();
    run(async () => {
      try {
        await request('POST', '/api/auth/change-password', anyJsonSchema, { body: { currentPassword, newPassword } });
      } catch (caught) {
        throw accountErrorMessage(caught);
      }
      setChanged(true);
      await queryClient.invalidateQueries({ queryKey: accountQueryKeys.sessions });
    });
  }

  return (
    <section aria-labelledby="password-title" className="account-section">
      <h2 id="password-title">Password</h2>
      <form onSubmit={onSubmit} noValidate className="stack narrow-form">
        <ErrorMessage error={error} />
        {changed ? (
          <p className="notice" role="status">
            Password changed. Your other sessions were signed out.
          </p>
        ) : null}
        <label htmlFor="current-password">Current password</label>
        <input id="current-password" name="currentPassword" type="password" autoComplete="current-password" maxLength={256} />
        <label htmlFor="new-password">New password</label>
        <input
          id="new-password"
          name="newPassword"
          type="password"
          autoComplete="new-password"
          maxLength={256}
          aria-describedby="new-password-hint"
        />
        <p id="new-password-hint" className="hint">
          At least 16 characters (your operator may ask for more), not a common password. A passphrase of several words works well.
        </p>
        <label htmlFor="repeat-password">New password again</label>
        <input id="repeat-password" name="repeatPassword" type="password" autoComplete="new-password" maxLength={256} />
        <div>
          <button type="submit" disabled={busy}>
            {busy ? 'Changing…' : 'Change password'}
          </button>
        </div>
      </form>
    </section>
  );
}
