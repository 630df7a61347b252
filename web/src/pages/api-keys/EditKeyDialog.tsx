/**
 * Changes a key's name, expiry, allowed models, IP allow-list and limits (PATCH …/api-keys/:keyId).
 * Every field is sent, so the key ends up exactly as the form shows it; the api validates CIDRs and
 * model names and its refusals are shown in its own words.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiKeyQueryKeys, updateApiKey } from '../../api/api-key-queries.ts';
import { queryKeys } from '../../api/queries.ts';
import type { ApiKey } from '../../api/schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { ExpiryDateField } from '../../components/ExpiryDateField.tsx';
import { chosenExpiry } from '../../lib/expiry.ts';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';
import { draftsOf, expiryDate, limitsOf, linesOf, type LimitDraft } from './edit-key-form.ts';
import { ModelListField } from './ModelListField.tsx';
import { UsageLimitsFields } from './UsageLimitsFields.tsx';

type Props = { orgId: string; projectId: string; apiKey: ApiKey; onClose: () => void };

const perMinuteText = (value: number | null): string => (value === null ? '' : String(value));

export function EditKeyDialog({ orgId, projectId, apiKey, onClose }: Props) {
  const queryClient = useQueryClient();
  const { error, busy, run, refuse } = useSubmission();
  const [models, setModels] = useState((apiKey.allowedModels ?? []).join('\n'));
  const [drafts, setDrafts] = useState<LimitDraft[]>(() => draftsOf(apiKey.limits));
  const initialExpiry = expiryDate(apiKey.expiresAt);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = formText(data, 'name').trim();
    if (name === '') return refuse(new Error('Give the key a name, so you can tell your keys apart.'));
    const expiry = formText(data, 'expiresOn');
    const expiresAt = chosenExpiry(expiry);
    // An unchanged date is not sent: the api would refuse an expiry that is no longer in the future.
    if (expiry !== initialExpiry && expiresAt instanceof Error) return refuse(expiresAt);
    const limits = limitsOf(drafts, formText(data, 'requestsPerMinute'), formText(data, 'tokensPerMinute'));
    if (limits instanceof Error) return refuse(limits);
    run(async () => {
      await updateApiKey(orgId, apiKey.id, {
        name,
        ...(expiry === initialExpiry || expiresAt instanceof Error ? {} : { expiresAt }),
        allowedModels: linesOf(models),
        ipAllowlist: linesOf(formText(data, 'ipAllowlist')),
        limits,
      });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys(orgId, projectId) }),
        queryClient.invalidateQueries({ queryKey: apiKeyQueryKeys.usage(orgId, apiKey.id) }),
      ]);
      onClose();
    });
  }

  return (
    <Dialog title={`Edit the API key “${apiKey.name}”`} onClose={onClose} className="edit-key-dialog">
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <label htmlFor="edit-key-name">Name</label>
        <input id="edit-key-name" name="name" required maxLength={100} autoComplete="off" defaultValue={apiKey.name} autoFocus />
        <ExpiryDateField id="edit-key-expiry" noun="key" defaultValue={initialExpiry} />
        <ModelListField orgId={orgId} projectId={projectId} value={models} onChange={setModels} />
        <label htmlFor="edit-key-ips">IP allow-list (one address or CIDR range a line)</label>
        <textarea
          id="edit-key-ips"
          name="ipAllowlist"
          rows={3}
          spellCheck={false}
          defaultValue={(apiKey.ipAllowlist ?? []).join('\n')}
          aria-describedby="edit-key-ips-hint"
          placeholder="203.0.113.0/24"
        />
        <p id="edit-key-ips-hint" className="hint">
          Requests from other addresses are refused. Leave empty to accept any address.
        </p>
        <UsageLimitsFields drafts={drafts} onChange={setDrafts} />
        <fieldset className="key-rate">
          <legend>Rate limits</legend>
          <div>
            <label htmlFor="edit-key-rpm">Requests a minute</label>
            <input
              id="edit-key-rpm"
              name="requestsPerMinute"
              type="number"
              inputMode="numeric"
              min="1"
              step="1"
              defaultValue={perMinuteText(apiKey.limits.rate.requestsPerMinute)}
            />
          </div>
          <div>
            <label htmlFor="edit-key-tpm">Tokens a minute</label>
            <input
              id="edit-key-tpm"
              name="tokensPerMinute"
              type="number"
              inputMode="numeric"
              min="1"
              step="1"
              defaultValue={perMinuteText(apiKey.limits.rate.tokensPerMinute)}
            />
          </div>
          <p className="hint">Leave empty for no rate limit of the key (the project’s and organization’s still apply).</p>
        </fieldset>
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Save changes" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
