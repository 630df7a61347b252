/**
 * Sets an org's plan (PUT /api/instance/orgs/:orgId/plan, audited in that org's chain). The api refuses
 * it for an org the admin belongs to (403 own_org_plan): that refusal comes with who can do it instead.
 */
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError, request, seg } from '../../api/client.ts';
import { instanceQueryKeys } from '../../api/instance-queries.ts';
import { planChangeSchema, type InstanceOrg } from '../../api/instance-schemas.ts';
import { ORG_PLANS } from '../../api/org-schemas.ts';
import { Dialog } from '../../components/Dialog.tsx';
import { DialogFormActions } from '../../components/DialogFormActions.tsx';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSubmission } from '../../lib/submission.ts';

type Props = { org: InstanceOrg; onClose: () => void };

export function ChangePlanDialog({ org, onClose }: Props) {
  const queryClient = useQueryClient();
  const [plan, setPlan] = useState<string>(org.plan);
  const { error, busy, run } = useSubmission();

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (plan === org.plan) return onClose();
    run(async () => {
      await request('PUT', `/api/instance/orgs/${seg(org.id)}/plan`, planChangeSchema, { body: { plan } });
      await queryClient.invalidateQueries({ queryKey: instanceQueryKeys.orgs });
      onClose();
    });
  }

  return (
    <Dialog title={`Change the plan of ${org.name}`} onClose={onClose}>
      <form onSubmit={onSubmit} noValidate className="stack">
        <ErrorMessage error={error} />
        {error instanceof ApiError && error.code === 'own_org_plan' ? (
          <p className="hint">
            You are a member of this organization, so you cannot set its plan: another instance administrator can, or the operator with{' '}
            <code>portcullis orgs set-plan {org.name} PLAN</code>.
          </p>
        ) : null}
        <label htmlFor="org-plan">Plan</label>
        <select id="org-plan" value={plan} onChange={(e) => setPlan(e.target.value)} aria-describedby="org-plan-hint" autoFocus>
          {ORG_PLANS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
        <p id="org-plan-hint" className="hint">
          The plan decides how long audit events are kept (Free 30 days, Pro 90, Enterprise its own choice). The change is recorded in the
          organization’s audit log.
        </p>
        <DialogFormActions onCancel={onClose} busy={busy} submitLabel="Save plan" busyLabel="Saving…" />
      </form>
    </Dialog>
  );
}
