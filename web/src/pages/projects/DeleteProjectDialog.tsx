/**
 * Deleting a project takes its API keys, provider-key assignments and guardrail overrides with it, so
 * the user types its exact name (the api refuses anything else too); the button stays disabled until
 * the name matches, and Cancel is focused first.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState, type FormEvent } from 'react';
import { deleteProject } from '../../api/project-queries.ts';
import { queryKeys } from '../../api/queries.ts';
import type { Project } from '../../api/schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { modelQueryKeys } from '../../api/model-queries.ts';
import { useSubmission } from '../../lib/submission.ts';

export function DeleteProjectDialog({ orgId, project, onClose }: { orgId: string; project: Project; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  const { error, busy, run } = useSubmission();
  const fieldId = useId();
  const matches = typed === project.name;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!matches) return;
    run(async () => {
      await deleteProject(orgId, project.id, typed);
      queryClient.removeQueries({ queryKey: [...queryKeys.projects(orgId), project.id] });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.projects(orgId) }),
        queryClient.invalidateQueries({ queryKey: modelQueryKeys.all(orgId) }),
      ]);
      onClose();
    });
  }

  return (
    <Dialog
      title={`Delete the project “${project.name}”?`}
      onClose={onClose}
      description={
        <p>
          Its API keys are deleted and every gateway refuses them at once. Its provider-key assignments and guardrail overrides go with it.
          Its request logs stay. This cannot be undone.
        </p>
      }
    >
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <label htmlFor={fieldId}>
          Type the project’s name, <code>{project.name}</code>, to confirm
        </label>
        <input id={fieldId} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} />
        <div className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose} autoFocus>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={!matches || busy}>
            {busy ? 'Deleting…' : 'Delete project'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
