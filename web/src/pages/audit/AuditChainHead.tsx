/**
 * The head of the org's audit hash chain, to record somewhere the operator cannot rewrite, and its
 * verification on request (the api recomputes every link: the cost grows with the chain, so it is
 * a button, not run on every visit).
 */
import { useAuditHead, useVerifyAuditChain } from '../../api/log-queries.ts';
import type { ChainVerification } from '../../api/log-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { formatDateTime } from '../../lib/format.ts';

/** Why a link broke, in words. */
const BREAK_REASONS: Record<string, string> = {
  hash_mismatch: 'its content no longer matches its hash (the event was edited)',
  prev_hash_mismatch: 'it does not point at the event before it (an event was removed or replaced)',
  seq_gap: 'events are missing before it',
  head_mismatch: 'the chain ends before its recorded head (events were removed from the end)',
  checkpoint_signature_invalid: 'the retention checkpoint it starts from has a bad signature',
  checkpoint_key_unknown: 'the retention checkpoint was signed with a key this instance does not have',
};

function VerificationResult({ result }: { result: ChainVerification }) {
  if (result.ok)
    return (
      <p className="notice" role="status" data-chain-status="ok">
        Verified {formatDateTime(result.verifiedAt)}: all {result.events} events link up to the head
        {result.head ? ` (event ${result.head.seq})` : ''}.
      </p>
    );
  const broken = result.broken;
  return (
    <p className="error" role="alert" data-chain-status="broken">
      The chain is broken{broken ? ` at event ${broken.seq}: ${BREAK_REASONS[broken.reason] ?? broken.reason}` : ''}. Someone with database
      access changed the audit log; keep this page’s evidence and tell your security team.
    </p>
  );
}

export function AuditChainHead({ orgId }: { orgId: string }) {
  const head = useAuditHead(orgId);
  const verify = useVerifyAuditChain(orgId);
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
            Keep this hash somewhere outside Portcullis: a chain that verifies up to a hash you recorded has not been rewritten since.
          </p>
          <button type="button" className="secondary" onClick={() => verify.mutate()} disabled={verify.isPending}>
            {verify.isPending ? 'Verifying…' : 'Verify the chain'}
          </button>
          <ErrorMessage error={verify.error} />
          {verify.data ? <VerificationResult result={verify.data} /> : null}
        </>
      ) : null}
    </section>
  );
}
