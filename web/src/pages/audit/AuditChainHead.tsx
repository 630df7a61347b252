/**
 * The head of the org's audit hash chain, to record somewhere the operator cannot rewrite. The api
 * exposes the head, not a verification: checking every link is `portcullis audit verify` (docs/audit.md).
 */
import { useAuditHead } from '../../api/log-queries.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formatDateTime } from '../../lib/format.ts';

export function AuditChainHead({ orgId }: { orgId: string }) {
  const head = useAuditHead(orgId);
  return (
    <section className="chain-head" aria-labelledby="chain-head-title">
      <h2 id="chain-head-title">Chain head</h2>
      <ErrorMessage error={head.error} />
      {head.data ? (
        <>
          <dl className="details">
            <dt>Events in the chain</dt>
            <dd data-head="seq">{head.data.seq}</dd>
            <dt>Latest hash</dt>
            <dd>
              <code className="hash" data-head="hash">
                {head.data.hash}
              </code>
            </dd>
            <dt>Latest event</dt>
            <dd>{formatDateTime(head.data.occurredAt, 'None')}</dd>
            {head.data.checkpoint ? (
              <>
                <dt>Pruned up to</dt>
                <dd>
                  event {head.data.checkpoint.seq} (retention, {formatDateTime(head.data.checkpoint.prunedAt)})
                </dd>
              </>
            ) : null}
          </dl>
          <p className="muted">
            Keep this hash somewhere outside Portcullis. <code>portcullis audit verify</code> checks every link of the chain up to it; this
            page does not verify the chain.
          </p>
        </>
      ) : null}
    </section>
  );
}
