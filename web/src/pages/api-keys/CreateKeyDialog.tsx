/**
 * Creates an API key, then shows the full key once. The secret lives only in this component's state:
 * not in the query cache, not in storage, not in the address; closing the dialog drops it.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { request, seg } from '../../api/client.ts';
import { queryKeys } from '../../api/queries.ts';
import { issuedApiKeySchema } from '../../api/schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ExpiryDateField } from '../../components/ExpiryDateField.tsx';
import { chosenExpiry } from '../../lib/expiry.ts';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';
import { NewKeyPanel } from './NewKeyPanel.tsx';

export function CreateKeyDialog({ orgId, projectId, onClose }: { orgId: string; projectId: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [issued, setIssued] = useState<{ name: string; key: string } | null>(null);
  const { error, busy, run, refuse } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = formText(data, 'name').trim();
    const expiry = formText(data, 'expiresOn');
    if (name === '') return refuse(new Error('Give the key a name, so you can tell your keys apart.'));
    const expiresAt = chosenExpiry(expiry);
    if (expiresAt instanceof Error) return refuse(expiresAt);
    run(async () => {
      const result = await request('POST', `/api/orgs/${seg(orgId)}/projects/${seg(projectId)}/api-keys`, issuedApiKeySchema, {
        body: { name, ...(expiresAt === null ? {} : { expiresAt }) },
      });
      setIssued({ name: result.apiKey.name, key: result.key });
      await queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys(orgId, projectId) });
    });
  }

  if (issued !== null) {
    return (
      <Dialog title={`API key “${issued.name}” created`} onClose={onClose} className="new-key-dialog">
        <NewKeyPanel secret={issued.key} onDone={onClose} />
      </Dialog>
    );
  }
  return (
    <Dialog title="Create an API key" onClose={onClose}>
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <label htmlFor="key-name">Name</label>
        <input
          id="key-name"
          name="name"
          required
          maxLength={100}
          autoComplete="off"
          placeholder="e.g. billing-service production"
          autoFocus
        />
        <ExpiryDateField id="key-expiry" noun="key" />
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Create key" busyLabel="Creating…" />
      </form>
    </Dialog>
  );
}
