/**
 * Rotation of a provider key: the new secret replaces the stored one (same id, name and projects);
 * gateways use it at once. The secret is handled as when adding a key: read once, sent, field emptied.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { request, seg } from '../../api/client.ts';
import { credentialQueryKeys } from '../../api/credential-queries.ts';
import { oneProviderKeySchema, type ProviderKey } from '../../api/credential-schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';

export function ReplaceSecretDialog({ orgId, providerKey, onClose }: { orgId: string; providerKey: ProviderKey; onClose: () => void }) {
  const queryClient = useQueryClient();
  const secretField = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const key = formText(new FormData(event.currentTarget), 'key');
    if (secretField.current) secretField.current.value = '';
    if (key === '') return setError(new Error('Paste the new API key.'));
    setBusy(true);
    setError(undefined);
    request('PATCH', `/api/orgs/${seg(orgId)}/provider-keys/${seg(providerKey.id)}`, oneProviderKeySchema, { body: { key } })
      .then(async () => {
        await queryClient.invalidateQueries({ queryKey: credentialQueryKeys.providerKeys(orgId) });
        onClose();
      })
      .catch((caught: unknown) => {
        setError(caught);
        setBusy(false);
      });
  }

  return (
    <Dialog
      title={`Rotate the provider key “${providerKey.label}”?`}
      onClose={onClose}
      description={
        <p>
          The new secret replaces the one ending in <code>{providerKey.last4}</code> for every gateway at once; the old one is no longer
          used. Revoke the old one at {providerKey.provider} afterwards.
        </p>
      }
    >
      <form onSubmit={onSubmit} noValidate className="stack" autoComplete="off">
        <ErrorMessage error={error} />
        <label htmlFor="replacement-secret">New API key</label>
        <input
          id="replacement-secret"
          ref={secretField}
          name="key"
          type="password"
          required
          autoComplete="new-password"
          spellCheck={false}
        />
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Rotate key" busyLabel="Rotating…" destructive />
      </form>
    </Dialog>
  );
}
