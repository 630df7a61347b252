/** How hard the gateway tries: the per-attempt and whole-request timeouts and the retries before the next fallback. */
import type { SectionProps } from './draft-props.ts';

export function RoutingSection({ draft, update, readOnly }: SectionProps) {
  return (
    <fieldset disabled={readOnly}>
      <legend>Timeout and retries</legend>
      <label htmlFor="timeout-ms">Timeout per attempt (milliseconds, optional)</label>
      <input
        id="timeout-ms"
        type="number"
        inputMode="numeric"
        min={1000}
        max={3_600_000}
        step={1}
        value={draft.timeoutMs}
        onChange={(e) => update({ timeoutMs: e.target.value })}
        aria-describedby="timeout-ms-hint"
      />
      <p id="timeout-ms-hint" className="hint">
        From 1,000 (one second) to 3,600,000 (one hour). Empty: the gateway’s default (<code>UPSTREAM_TIMEOUT_MS</code>).
      </p>
      <label htmlFor="request-timeout-ms">Timeout for the whole request (milliseconds, optional)</label>
      <input
        id="request-timeout-ms"
        type="number"
        inputMode="numeric"
        min={1000}
        max={3_600_000}
        step={1}
        value={draft.requestTimeoutMs}
        onChange={(e) => update({ requestTimeoutMs: e.target.value })}
        aria-describedby="request-timeout-ms-hint"
      />
      <p id="request-timeout-ms-hint" className="hint">
        Bounds all attempts, retries and fallbacks together; each attempt gets at most what is left. Empty: the gateway’s default (
        <code>REQUEST_TIMEOUT_MS</code>).
      </p>
      <label htmlFor="max-retries">Retries per provider</label>
      <input
        id="max-retries"
        type="number"
        inputMode="numeric"
        min={0}
        max={5}
        step={1}
        value={draft.maxRetries}
        onChange={(e) => update({ maxRetries: e.target.value })}
        aria-describedby="max-retries-hint"
      />
      <p id="max-retries-hint" className="hint">
        0 to 5 (default 2). Connection errors, timeouts, 429 and 5xx answers are retried with backoff, then the next model of an alias is
        tried.
      </p>
    </fieldset>
  );
}
