/**
 * Deleting the org (owners only) is scheduled, not immediate: the api names the date after the grace
 * period, the org's API keys are refused meanwhile, and an owner can cancel until then.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { request, seg } from '../../api/client.ts';
import { orgQueryKeys } from '../../api/org-queries.ts';
import { cancelledDeletionSchema, type Organization } from '../../api/org-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { DeleteOrgDialog } from './DeleteOrgDialog.tsx';

export function DeletionSection({ org, mayWrite }: { org: Organization; mayWrite: boolean }) {
  const queryClient = useQueryClient();
  const [deleting, setDeleting] = useState(false);
  const cancel = useMutation({
    mutationFn: () => request('POST', `/api/orgs/${seg(org.id)}/deletion/cancel`, cancelledDeletionSchema),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: orgQueryKeys.organization(org.id) }),
  });
  const scheduled = org.deletionScheduledFor;
  return (
    <section aria-labelledby="deletion-title" className="admin-section">
      <h2 id="deletion-title">Delete the organization</h2>
      {scheduled === null ? (
        <p>
          Deletion waits for a grace period before anything is removed. Then projects, members, API keys, admin tokens, provider keys and
          the organization’s encryption keys are destroyed for good. Export the data first if you need it.
        </p>
      ) : (
        <p className="warning" data-field="deletion-scheduled">
          Deletion is scheduled for <strong>{formatDateTime(scheduled)}</strong>. Until then the organization’s API keys are refused by the
          gateway; cancelling makes them work again at once.
        </p>
      )}
      {!mayWrite ? (
        <p className="hint">Only owners delete the organization or cancel its deletion.</p>
      ) : scheduled === null ? (
        <button type="button" className="danger" onClick={() => setDeleting(true)}>
          Delete organization
        </button>
      ) : (
        <>
          <ErrorMessage error={cancel.error ?? undefined} />
          <button type="button" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
            {cancel.isPending ? 'Cancelling…' : 'Cancel deletion'}
          </button>
        </>
      )}
      {deleting ? <DeleteOrgDialog org={org} onClose={() => setDeleting(false)} /> : null}
    </section>
  );
}
