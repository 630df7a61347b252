/** How hard the gateway tries: the per-attempt and whole-request timeouts and the retries before the next fallback. */
import { WholeNumberField } from '../../components/WholeNumberField.tsx';
import type { SectionProps } from './draft-props.ts';

export function RoutingSection({ draft, update, readOnly }: SectionProps) {
  return (
    <fieldset disabled={readOnly}>
      <legend>Timeout and retries</legend>
      <WholeNumberField
        id="timeout-ms"
        label="Timeout per attempt (milliseconds, optional)"
        min={1000}
        max={3_600_000}
        value={draft.timeoutMs}
        onChange={(timeoutMs) => update({ timeoutMs })}
        hint={
          <>
            From 1,000 (one second) to 3,600,000 (one hour). Empty: the gateway’s default (<code>UPSTREAM_TIMEOUT_MS</code>).
          </>
        }
      />
      <WholeNumberField
        id="request-timeout-ms"
        label="Timeout for the whole request (milliseconds, optional)"
        min={1000}
        max={3_600_000}
        value={draft.requestTimeoutMs}
        onChange={(requestTimeoutMs) => update({ requestTimeoutMs })}
        hint={
          <>
            Bounds all attempts, retries and fallbacks together; each attempt gets at most what is left. Empty: the gateway’s default (
            <code>REQUEST_TIMEOUT_MS</code>).
          </>
        }
      />
      <WholeNumberField
        id="max-retries"
        label="Retries per provider"
        min={0}
        max={5}
        value={draft.maxRetries}
        onChange={(maxRetries) => update({ maxRetries })}
        hint="0 to 5 (default 2). Connection errors, timeouts, 429 and 5xx answers are retried with backoff, then the next model of an alias is tried."
      />
    </fieldset>
  );
}
