/**
 * One project's policy: the org's as it is ("inherit"), or an override of some of its parts. Saving an override
 * replaces the stored one; going back to "inherit" removes it, after a confirmation. Both carry the version read.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { deleteProjectOverride, guardrailPolicyKeys, saveProjectOverride } from '../../api/guardrail-policy-queries.ts';
import type { GuardrailOverride, GuardrailPolicy, ProjectPolicyView } from '../../api/guardrail-policy-schemas.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { useSubmission } from '../../lib/submission.ts';
import { overrideOf, projectDraftOf, shownPolicy, toggleOverride, type ProjectDraft } from './draft.ts';
import { PolicyEditor } from './PolicyEditor.tsx';
import { ruleErrorsOf } from './rule-errors.ts';
import { SaveBar } from './SaveBar.tsx';
import { TryItBox } from './TryItBox.tsx';
import { useGuardrailTrial } from './useGuardrailTrial.ts';

type Props = {
  orgId: string;
  projectId: string;
  projectName: string;
  view: ProjectPolicyView;
  orgPolicy: GuardrailPolicy;
  mayWrite: boolean;
  onReload: () => void;
};

/** What is stored, as this form would write it (null: no override), to tell whether the draft differs. */
type Stored = { override: GuardrailOverride | null; version: number };

export function ProjectPolicyScope({ orgId, projectId, projectName, view, orgPolicy, mayWrite, onReload }: Props) {
  const id = useId();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<ProjectDraft>(() => projectDraftOf(view));
  const [stored, setStored] = useState<Stored>(() => ({
    override: view.override === null ? null : overrideOf(projectDraftOf(view)),
    version: view.version,
  }));
  const [confirmingRemoval, setConfirmingRemoval] = useState(false);
  const [savedMessage, setSavedMessage] = useState<string | null>(null);
  const { error, busy, run } = useSubmission();
  const trial = useGuardrailTrial(orgId, { scope: 'project', projectId, override: overrideOf(draft) });
  const dirty = draft.mode === 'inherit' ? stored.override !== null : JSON.stringify(overrideOf(draft)) !== JSON.stringify(stored.override);

  const refresh = () => queryClient.invalidateQueries({ queryKey: guardrailPolicyKeys.all(orgId) });

  function save() {
    if (draft.mode === 'inherit') return setConfirmingRemoval(true);
    run(async () => {
      const answer = await saveProjectOverride(orgId, projectId, overrideOf(draft), stored.version);
      setStored({ override: overrideOf(draft), version: answer.version });
      setSavedMessage(`Override saved as version ${answer.version}. Gateways apply it from their next request.`);
      await refresh();
    });
  }

  function removeOverride() {
    run(async () => {
      await deleteProjectOverride(orgId, projectId, stored.version);
      setConfirmingRemoval(false);
      setStored({ override: null, version: 0 });
      setSavedMessage('Override removed: the project follows the organization policy again.');
      await refresh();
    });
  }

  return (
    <>
      <fieldset className="mode-choice" disabled={!mayWrite}>
        <legend>Policy of project {projectName}</legend>
        <div className="checkbox-field">
          <input
            id={`${id}-inherit`}
            type="radio"
            name={`${id}-mode`}
            checked={draft.mode === 'inherit'}
            onChange={() => setDraft({ ...draft, mode: 'inherit' })}
          />
          <label htmlFor={`${id}-inherit`}>Inherit the organization policy</label>
        </div>
        <div className="checkbox-field">
          <input
            id={`${id}-override`}
            type="radio"
            name={`${id}-mode`}
            checked={draft.mode === 'override'}
            onChange={() => setDraft({ ...draft, mode: 'override' })}
          />
          <label htmlFor={`${id}-override`}>Override parts of it for this project</label>
        </div>
        <p className="hint">
          {stored.override === null ? 'No override is saved.' : `An override is saved (version ${stored.version}).`} Parts not overridden
          follow the organization policy, including its later changes.
        </p>
      </fieldset>
      <PolicyEditor
        policy={shownPolicy(draft, orgPolicy)}
        onChange={(policy) => setDraft({ ...draft, policy })}
        mayWrite={mayWrite && draft.mode === 'override'}
        ruleErrors={ruleErrorsOf(error, trial.error)}
        overrides={
          draft.mode === 'override'
            ? { parts: draft.overridden, onToggle: (part, on) => setDraft(toggleOverride(draft, part, on, orgPolicy)) }
            : undefined
        }
      />
      <SaveBar
        mayWrite={mayWrite}
        dirty={dirty}
        busy={busy}
        error={confirmingRemoval ? undefined : error}
        savedMessage={savedMessage}
        onSave={save}
        onReload={onReload}
        saveLabel={draft.mode === 'inherit' && stored.override !== null ? 'Remove override' : 'Save override'}
      />
      <TryItBox trial={trial} />
      {confirmingRemoval ? (
        <ConfirmDialog
          title={`Remove the override of ${projectName}?`}
          confirmLabel="Remove override"
          busy={busy}
          error={error}
          onCancel={() => setConfirmingRemoval(false)}
          onConfirm={removeOverride}
        >
          <p>The project then follows the organization policy, custom rules included, from the gateways&apos; next request.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
