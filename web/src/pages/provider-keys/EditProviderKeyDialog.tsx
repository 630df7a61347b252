/**
 * Edits what is not secret about a provider key: its name, base URL, options (Azure OpenAI: API version
 * and deployments) and the projects that may use it.
 * The secret itself is only replaced through the Rotate dialog; this form never has a field for it.
 * The api checks the base URL (private and metadata addresses) and answers refusals in words.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { credentialQueryKeys } from '../../api/credential-queries.ts';
import type { ProviderKey } from '../../api/credential-schemas.ts';
import { editProviderKey } from '../../api/provider-key-edit-queries.ts';
import type { Project } from '../../api/schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';
import { AZURE_PROVIDER, draftFromOptions, optionsFromDraft, type AzureOptionsDraft } from './azure-options.ts';
import { AzureOptionsFields } from './AzureOptionsFields.tsx';
import { KeyProjectsFields, type KeyProjects } from './KeyProjectsFields.tsx';

type Props = { orgId: string; providerKey: ProviderKey; projects: readonly Project[]; onClose: () => void };

export function EditProviderKeyDialog({ orgId, providerKey, projects, onClose }: Props) {
  const queryClient = useQueryClient();
  const { error, busy, run, refuse } = useSubmission();
  const [scope, setScope] = useState<KeyProjects>({
    mode: providerKey.projectIds.length === 0 ? 'all' : 'chosen',
    projectIds: providerKey.projectIds,
  });
  const isAzure = providerKey.provider === AZURE_PROVIDER;
  const [azureOptions, setAzureOptions] = useState<AzureOptionsDraft>(() => draftFromOptions(providerKey.options));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const label = formText(data, 'label').trim();
    const baseUrl = formText(data, 'baseUrl').trim();
    if (label === '') return refuse(new Error('Give the key a name.'));
    // An empty choice would mean "every project" to the api: the opposite of what ticking nothing suggests.
    if (scope.mode === 'chosen' && scope.projectIds.length === 0)
      return refuse(new Error('Choose at least one project, or every project.'));
    // The api replaces options as a whole: only sent for Azure, so other keys keep whatever they hold.
    const options = isAzure ? optionsFromDraft(azureOptions) : undefined;
    if (options instanceof Error) return refuse(options);
    run(async () => {
      await editProviderKey(orgId, providerKey.id, {
        label,
        baseUrl: baseUrl === '' ? null : baseUrl,
        projectIds: scope.mode === 'all' ? [] : scope.projectIds,
        ...(options === undefined ? {} : { options }),
      });
      await queryClient.invalidateQueries({ queryKey: credentialQueryKeys.providerKeys(orgId) });
      onClose();
    });
  }

  return (
    <Dialog title={`Edit the provider key “${providerKey.label}”`} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate className="stack" autoComplete="off">
        <ErrorMessage error={error} />
        <label htmlFor="edit-provider-key-label">Name</label>
        <input id="edit-provider-key-label" name="label" maxLength={100} required defaultValue={providerKey.label} autoFocus />
        <label htmlFor="edit-provider-key-base-url">Base URL</label>
        <input
          id="edit-provider-key-base-url"
          name="baseUrl"
          type="url"
          inputMode="url"
          maxLength={2000}
          defaultValue={providerKey.baseUrl ?? ''}
          placeholder="https://api.example.com/v1"
          aria-describedby="edit-provider-key-base-url-hint"
        />
        <p id="edit-provider-key-base-url-hint" className="hint">
          Empty: the provider’s default endpoint. Private and link-local addresses may be refused by the instance’s policy.
        </p>
        {isAzure ? <AzureOptionsFields orgId={orgId} idPrefix="edit-provider-key" value={azureOptions} onChange={setAzureOptions} /> : null}
        <KeyProjectsFields projects={projects} value={scope} onChange={setScope} />
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Save changes" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
