/**
 * Stores a provider key. The secret is typed into a password field that React does not control: it is
 * read from the form once, on submit, sent, and the field is emptied at once. It never enters component
 * state, the query cache or storage, and no answer of the api contains it (only its last 4 characters).
 * Azure OpenAI keys also get their options (API version, deployments); no other provider takes any.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { request, seg } from '../../api/client.ts';
import { credentialQueryKeys } from '../../api/credential-queries.ts';
import { oneProviderKeySchema, PROVIDER_IDS } from '../../api/credential-schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { AZURE_PROVIDER, draftFromOptions, optionsFromDraft, type AzureOptionsDraft } from './azure-options.ts';
import { AzureOptionsFields } from './AzureOptionsFields.tsx';

export function AddProviderKeyDialog({ orgId, onClose }: { orgId: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const secretField = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  // Controlled only so the Azure fields can follow the choice; the rest of the form stays uncontrolled.
  const [provider, setProvider] = useState<string>('openai');
  const [azureOptions, setAzureOptions] = useState<AzureOptionsDraft>(() => draftFromOptions(undefined));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const label = formText(data, 'label').trim();
    const baseUrl = formText(data, 'baseUrl').trim();
    const key = formText(data, 'key');
    // Cleared before the request leaves: whatever happens next, the page no longer holds the secret.
    if (secretField.current) secretField.current.value = '';
    if (key === '') return setError(new Error('Paste the provider’s API key.'));
    const options = provider === AZURE_PROVIDER ? optionsFromDraft(azureOptions) : {};
    if (options instanceof Error) return setError(options);
    setBusy(true);
    setError(undefined);
    request('POST', `/api/orgs/${seg(orgId)}/provider-keys`, oneProviderKeySchema, {
      body: {
        provider,
        key,
        ...(label === '' ? {} : { label }),
        ...(baseUrl === '' ? {} : { baseUrl }),
        ...(Object.keys(options).length === 0 ? {} : { options }),
      },
    })
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
    <Dialog title="Add a provider key" onClose={onClose}>
      <form onSubmit={onSubmit} noValidate className="stack" autoComplete="off">
        <ErrorMessage error={error} />
        <label htmlFor="provider">Provider</label>
        <select id="provider" name="provider" value={provider} onChange={(e) => setProvider(e.target.value)} autoFocus>
          {PROVIDER_IDS.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
        <label htmlFor="provider-key-label">Name (optional)</label>
        <input id="provider-key-label" name="label" maxLength={100} aria-describedby="provider-key-label-hint" />
        <p id="provider-key-label-hint" className="hint">
          Tells several keys of one provider apart. Empty: the provider’s name.
        </p>
        <label htmlFor="provider-key-secret">API key</label>
        <input
          id="provider-key-secret"
          ref={secretField}
          name="key"
          type="password"
          required
          autoComplete="new-password"
          spellCheck={false}
          aria-describedby="provider-key-secret-hint"
        />
        <p id="provider-key-secret-hint" className="hint">
          Stored encrypted and never shown again: the dashboard will show only its last four characters. The field is emptied when you
          submit; if the api refuses, paste it again.
        </p>
        <label htmlFor="provider-key-base-url">Base URL (optional)</label>
        <input
          id="provider-key-base-url"
          name="baseUrl"
          type="url"
          inputMode="url"
          maxLength={2000}
          placeholder="https://api.example.com/v1"
          aria-describedby="provider-key-base-url-hint"
        />
        <p id="provider-key-base-url-hint" className="hint">
          Empty: the provider’s default endpoint. Required for openai-compatible. Private and link-local addresses may be refused by the
          instance’s policy.
        </p>
        {provider === AZURE_PROVIDER ? (
          <AzureOptionsFields orgId={orgId} idPrefix="provider-key" value={azureOptions} onChange={setAzureOptions} />
        ) : null}
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Add key" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
