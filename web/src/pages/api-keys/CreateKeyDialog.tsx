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
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { endOfDay, tomorrow } from '../../lib/expiry.ts';
import { formText } from '../../lib/form.ts';
import { NewKeyPanel } from './NewKeyPanel.tsx';

export function CreateKeyDialog({ orgId, projectId, onClose }: { orgId: string; projectId: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [issued, setIssued] = useState<{ name: string; key: string } | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = formText(data, 'name').trim();
    const expiry = formText(data, 'expiresOn');
    if (name === '') return setError(new Error('Give the key a name, so you can tell your keys apart.'));
    const expiresAt = endOfDay(expiry);
    if (expiry !== '' && (expiresAt === null || Date.parse(expiresAt) <= Date.now()))
      return setError(new Error('The expiry date must be in the future.'));
    setBusy(true);
    setError(undefined);
    request('POST', `/api/orgs/${seg(orgId)}/projects/${seg(projectId)}/api-keys`, issuedApiKeySchema, {
      body: { name, ...(expiresAt === null ? {} : { expiresAt }) },
    })
      .then((result) => {
        setIssued({ name: result.apiKey.name, key: result.key });
        return queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys(orgId, projectId) });
      })
      .catch((caught: unknown) => setError(caught))
      .finally(() => setBusy(false));
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
        <label htmlFor="key-expiry">Expires on (optional)</label>
        <input id="key-expiry" name="expiresOn" type="date" min={tomorrow()} aria-describedby="key-expiry-hint" />
        <p id="key-expiry-hint" className="hint">
          The key stops working at the end of that day. Leave empty for a key that does not expire.
        </p>
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
