/** Creates a project: a name (unique in the org) and its mode, which decides the prefix of its API keys. */
import { useQueryClient } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import { createProject } from '../../api/project-queries.ts';
import { PROJECT_MODES, type ProjectMode } from '../../api/project-schemas.ts';
import { queryKeys } from '../../api/queries.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formText } from '../../lib/form.ts';
import { useSubmission } from '../../lib/submission.ts';

const MODE_HINTS: Record<ProjectMode, string> = {
  live: 'live: its API keys start with pc_live_',
  test: 'test: its API keys start with pc_test_, so test traffic is told apart at a glance',
};

const isMode = (value: string): value is ProjectMode => (PROJECT_MODES as readonly string[]).includes(value);

export function CreateProjectDialog({ orgId, onClose }: { orgId: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const { error, busy, run, refuse } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const name = formText(data, 'name').trim();
    const mode = formText(data, 'mode');
    if (name === '') return refuse(new Error('Give the project a name.'));
    if (!isMode(mode)) return refuse(new Error('Choose live or test.'));
    run(async () => {
      await createProject(orgId, name, mode);
      await queryClient.invalidateQueries({ queryKey: queryKeys.projects(orgId) });
      onClose();
    });
  }

  return (
    <Dialog title="Create a project" onClose={onClose}>
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        <label htmlFor="project-name">Name</label>
        <input id="project-name" name="name" required maxLength={100} autoComplete="off" placeholder="e.g. support-bot" autoFocus />
        <label htmlFor="project-mode">Mode</label>
        <select id="project-mode" name="mode" defaultValue="live" aria-describedby="project-mode-hint">
          {PROJECT_MODES.map((mode) => (
            <option key={mode} value={mode}>
              {mode}
            </option>
          ))}
        </select>
        <p id="project-mode-hint" className="hint">
          {MODE_HINTS.live}; {MODE_HINTS.test}. It cannot be changed later.
        </p>
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Create project" busyLabel="Creating…" />
      </form>
    </Dialog>
  );
}
