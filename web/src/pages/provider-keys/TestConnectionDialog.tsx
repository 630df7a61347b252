/**
 * "Test connection": the api sends one tiny request (`ping`, one token) through the gateway, for a
 * project of the user's choice, with a short-lived API key it revokes afterwards. The answer says
 * whether the provider accepted the key, and if not, the gateway's error as an application would see it.
 */
import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { request, seg } from '../../api/client.ts';
import { connectionTestSchema, type ConnectionTest, type ProviderKey } from '../../api/credential-schemas.ts';
import { useProjects } from '../../api/queries.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { formText } from '../../lib/form.ts';

type Props = { orgId: string; providerKey: ProviderKey; onClose: () => void };

function Outcome({ result }: { result: ConnectionTest }) {
  if (result.ok)
    return (
      <p className="notice" role="status">
        Connected: {result.model} answered in {result.latencyMs} ms.
      </p>
    );
  return (
    <p className="error" role="alert">
      The test failed (HTTP {result.status}, {result.model}): {result.error?.message ?? 'the gateway gave no reason.'}
    </p>
  );
}

export function TestConnectionDialog({ orgId, providerKey, onClose }: Props) {
  const projects = useProjects(orgId);
  const usable = (projects.data ?? []).filter((p) => providerKey.projectIds.length === 0 || providerKey.projectIds.includes(p.id));
  const test = useMutation({
    mutationFn: (body: { projectId: string; model?: string }) =>
      request('POST', `/api/orgs/${seg(orgId)}/provider-keys/${seg(providerKey.id)}/test`, connectionTestSchema, { body }),
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const model = formText(data, 'model').trim();
    test.mutate({ projectId: formText(data, 'projectId'), ...(model === '' ? {} : { model }) });
  }

  return (
    <Dialog
      title={`Test the provider key “${providerKey.label}”`}
      onClose={onClose}
      description={
        <p>
          Sends one tiny request through the gateway, as the chosen project, with a two-minute API key that is revoked afterwards. It may
          cost a token at {providerKey.provider}.
        </p>
      }
    >
      {projects.isPending ? <Loading what="projects" /> : null}
      <ErrorMessage error={projects.error} />
      {projects.isSuccess && usable.length === 0 ? <p>No project may use this key, so there is nothing to test through.</p> : null}
      {usable.length > 0 ? (
        <form onSubmit={onSubmit} noValidate className="stack">
          <label htmlFor="test-project">Project</label>
          <select id="test-project" name="projectId" defaultValue={usable[0]?.id}>
            {usable.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
          <label htmlFor="test-model">Model (optional)</label>
          <input id="test-model" name="model" maxLength={200} autoComplete="off" spellCheck={false} aria-describedby="test-model-hint" />
          <p id="test-model-hint" className="hint">
            The provider’s model id, without a prefix (Azure: the deployment name). Empty: its cheapest chat model, or an Azure key’s first
            chat deployment (required for openai-compatible).
          </p>
          <ErrorMessage error={test.error ?? undefined} />
          {test.data ? <Outcome result={test.data} /> : null}
          <div className="dialog-actions">
            <button type="button" className="secondary" onClick={onClose}>
              Close
            </button>
            <button type="submit" disabled={test.isPending}>
              {test.isPending ? 'Testing…' : 'Run test'}
            </button>
          </div>
        </form>
      ) : (
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </Dialog>
  );
}
