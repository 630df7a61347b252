/** One turn: the prompt, the answer as it streams, then what it cost and any guardrail action. */
import { Link } from 'react-router';
import type { Turn } from './use-playground-chat.ts';
import { describeFinding, summaryLine } from './chat-format.ts';

function GuardrailNotice({ turn }: { turn: Turn }) {
  // `log` findings changed nothing the user sees; blocks, redactions and masks did.
  const acted = turn.guardrails.filter((g) => g.action !== 'log');
  const logged = turn.guardrails.filter((g) => g.action === 'log');
  if (turn.guardrails.length === 0) return null;
  const blocked = acted.some((g) => g.action === 'block');
  return (
    <div className={acted.length > 0 ? 'warning playground-guardrail' : 'notice playground-guardrail'} data-testid="guardrail-notice">
      <p className="playground-guardrail-title">
        {blocked
          ? 'A guardrail blocked this request.'
          : acted.length > 0
            ? 'A guardrail changed this exchange.'
            : 'A guardrail noted this exchange.'}
      </p>
      <ul>
        {[...acted, ...logged].map((g, i) => (
          <li key={i}>{describeFinding(g)}</li>
        ))}
      </ul>
    </div>
  );
}

export function TurnView({ turn, orgId }: { turn: Turn; orgId: string }) {
  const blocked = turn.guardrails.some((g) => g.action === 'block');
  return (
    <li className="playground-turn" data-status={turn.status}>
      <div className="playground-message playground-user">
        <span className="playground-role">You</span>
        <p className="playground-text">{turn.prompt}</p>
      </div>
      <div className="playground-message playground-assistant" aria-busy={turn.status === 'streaming'}>
        <span className="playground-role">Model</span>
        {turn.answer !== '' && !(blocked && turn.status === 'failed') ? (
          <p className="playground-text" data-testid="playground-answer">
            {turn.answer}
          </p>
        ) : turn.status === 'streaming' ? (
          <p className="muted">Waiting for the first words…</p>
        ) : null}
        {turn.status === 'stopped' ? <p className="muted">Stopped.</p> : null}
        <GuardrailNotice turn={turn} />
        {turn.error ? (
          <p className="error" role="alert">
            {turn.error.message}
          </p>
        ) : null}
        {turn.summary ? (
          <p className="playground-summary" data-testid="playground-summary">
            {summaryLine(turn.summary)} ·{' '}
            <Link to={`/orgs/${encodeURIComponent(orgId)}/request-logs?requestId=${encodeURIComponent(turn.summary.requestId)}`}>
              request {turn.summary.requestId}
            </Link>
          </p>
        ) : turn.requestId && turn.status !== 'streaming' ? (
          <p className="playground-summary">
            <Link to={`/orgs/${encodeURIComponent(orgId)}/request-logs?requestId=${encodeURIComponent(turn.requestId)}`}>
              request {turn.requestId}
            </Link>
          </p>
        ) : null}
      </div>
    </li>
  );
}
