/** Asks for the account's password before a two-factor change; the value is read on submit, never kept in state. */
import type { FormEvent } from 'react';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';

type Props = {
  error: unknown;
  busy: boolean;
  submitLabel: string;
  busyLabel: string;
  destructive?: boolean;
  onCancel: () => void;
  onPassword: (password: string) => void;
  onMissing: () => void;
};

export function PasswordPromptForm({ error, busy, submitLabel, busyLabel, destructive = false, onCancel, onPassword, onMissing }: Props) {
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const password = formText(new FormData(form), 'password');
    form.reset();
    if (password === '') return onMissing();
    onPassword(password);
  }
  return (
    <form onSubmit={onSubmit} noValidate className="stack">
      <ErrorMessage error={error} />
      <label htmlFor="confirm-password">Your password</label>
      <input
        id="confirm-password"
        name="password"
        type="password"
        autoComplete="current-password"
        maxLength={256}
        autoFocus={!destructive}
      />
      <DialogFormActions onCancel={onCancel} busy={busy} submitLabel={submitLabel} busyLabel={busyLabel} destructive={destructive} />
    </form>
  );
}
