/**
 * "Let requests through when usage counters are unreachable" (PUT …/limits/fail-open, owners and
 * admins). Off, spend-limited requests get 503 while Redis is down: a hard budget. On, they go
 * through unreserved: availability first, and the budget may be overshot during the outage.
 */
import { useQueryClient } from '@tanstack/react-query';
import { request, seg } from '../../api/client.ts';
import { orgQueryKeys, useLimitsFailOpen } from '../../api/org-queries.ts';
import { limitsFailOpenSchema } from '../../api/org-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';
import { useSubmission } from '../../lib/submission.ts';

export function LimitsFailOpenSection({ orgId, mayWrite }: { orgId: string; mayWrite: boolean }) {
  const queryClient = useQueryClient();
  const failOpen = useLimitsFailOpen(orgId);
  const { error, busy, run } = useSubmission();

  const set = (limitsFailOpen: boolean) =>
    run(async () => {
      const updated = await request('PUT', `/api/orgs/${seg(orgId)}/limits/fail-open`, limitsFailOpenSchema, { body: { limitsFailOpen } });
      queryClient.setQueryData(orgQueryKeys.limitsFailOpen(orgId), updated);
    });

  return (
    <section aria-labelledby="limits-fail-open-title" className="admin-section">
      <h2 id="limits-fail-open-title">Spend limits during a counter-store outage</h2>
      <ErrorMessage error={failOpen.error} />
      {failOpen.isPending ? <Loading what="the outage policy" /> : null}
      {failOpen.data === undefined ? null : (
        <>
          <label className="choice">
            <input
              type="checkbox"
              name="limitsFailOpen"
              checked={failOpen.data.limitsFailOpen}
              disabled={!mayWrite || busy}
              onChange={(event) => set(event.target.checked)}
            />
            Let spend-limited requests through while usage counters are unreachable (fail open)
          </label>
          <p className="hint">
            Off (the default), such requests get 503 until the counter store is back, so no budget is exceeded. On, they go through and are
            counted afterwards from the request logs, so a budget can be overshot during the outage. Rate limits keep limiting either way.
          </p>
          {mayWrite ? <ErrorMessage error={error} /> : <p className="hint">Only owners and admins change this.</p>}
        </>
      )}
    </section>
  );
}
