/** The org's policy: edited as a whole, tried live as a draft, saved with the version it was read at. */
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { guardrailPolicyKeys, saveOrgPolicy } from '../../api/guardrail-policy-queries.ts';
import type { GuardrailPolicy } from '../../api/guardrail-policy-schemas.ts';
import { useSubmission } from '../../lib/submission.ts';
import { clonePolicy } from './draft.ts';
import { PolicyEditor } from './PolicyEditor.tsx';
import { ruleErrorsOf } from './rule-errors.ts';
import { SaveBar } from './SaveBar.tsx';
import { TryItBox } from './TryItBox.tsx';
import { useGuardrailTrial } from './useGuardrailTrial.ts';

type Props = { orgId: string; view: { policy: GuardrailPolicy; version: number }; mayWrite: boolean; onReload: () => void };

export function OrgPolicyScope({ orgId, view, mayWrite, onReload }: Props) {
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(() => ({ policy: clonePolicy(view.policy), version: view.version }));
  const [draft, setDraft] = useState(() => clonePolicy(view.policy));
  const [savedMessage, setSavedMessage] = useState<string | null>(null);
  const { error, busy, run } = useSubmission();
  const trial = useGuardrailTrial(orgId, { scope: 'org', policy: draft });
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved.policy);

  function save() {
    run(async () => {
      const answer = await saveOrgPolicy(orgId, draft, saved.version);
      setSaved({ policy: clonePolicy(answer.policy), version: answer.version });
      setDraft(clonePolicy(answer.policy));
      setSavedMessage(`Saved as version ${answer.version}. Gateways apply it from their next request.`);
      await queryClient.invalidateQueries({ queryKey: guardrailPolicyKeys.all(orgId) });
    });
  }

  return (
    <>
      <p className="muted">
        The default for every project (version {saved.version}
        {saved.version === 0 ? ': never saved, the built-in defaults' : ''}). A project may override parts of it.
      </p>
      <PolicyEditor policy={draft} onChange={setDraft} mayWrite={mayWrite} ruleErrors={ruleErrorsOf(error, trial.error)} />
      <SaveBar mayWrite={mayWrite} dirty={dirty} busy={busy} error={error} savedMessage={savedMessage} onSave={save} onReload={onReload} />
      <TryItBox trial={trial} />
    </>
  );
}
