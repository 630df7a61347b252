/** Schedules the org's deletion once its exact name is typed (the api checks the same: 400 confirmation_mismatch). */
import { useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { request, seg } from '../../api/client.ts';
import { orgQueryKeys } from '../../api/org-queries.ts';
import { scheduledDeletionSchema, type Organization } from '../../api/org-schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';

export function DeleteOrgDialog({ org, onClose }: { org: Organization; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { error, busy, run, refuse } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const confirm = formText(new FormData(event.currentTarget), 'confirm');
    if (confirm !== org.name) return refuse(new Error(`Type the organization’s name exactly, “${org.name}”, to confirm.`));
    run(async () => {
      await request('DELETE', `/api/orgs/${seg(org.id)}`, scheduledDeletionSchema, { body: { confirm } });
      await queryClient.invalidateQueries({ queryKey: orgQueryKeys.organization(org.id) });
      onClose();
    });
  }

  return (
    <Dialog
      title={`Delete ${org.name}?`}
      onClose={onClose}
      description={
        <p>
          The deletion is scheduled after the grace period; until then its API keys stop working and an owner can cancel. After it, the
          organization and everything it holds are gone for good.
        </p>
      }
    >
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <label htmlFor="delete-org-confirm">Type the organization’s name to confirm</label>
        <input id="delete-org-confirm" name="confirm" required autoComplete="off" spellCheck={false} aria-describedby="delete-org-hint" />
        <p id="delete-org-hint" className="hint">
          Exactly <code>{org.name}</code>, capitals included.
        </p>
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Schedule deletion" busyLabel="Scheduling…" destructive />
      </form>
    </Dialog>
  );
}
