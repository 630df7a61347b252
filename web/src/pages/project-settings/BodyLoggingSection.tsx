/** Body logging: off by default, since prompts and answers may hold personal data or secrets. */
import type { SectionProps } from './draft-props.ts';

export function BodyLoggingSection({ draft, update, readOnly }: SectionProps) {
  return (
    <fieldset disabled={readOnly}>
      <legend>Request bodies</legend>
      <label className="checkbox" htmlFor="log-bodies">
        <input
          id="log-bodies"
          type="checkbox"
          checked={draft.logBodies}
          onChange={(e) => update({ logBodies: e.target.checked })}
          aria-describedby="log-bodies-hint"
        />
        Store request and response bodies
      </label>
      <p id="log-bodies-hint" className="hint">
        When on, the gateway keeps the full prompt and answer of each request with its request log, encrypted under the organization’s data
        key, for as long as the organization’s retention keeps logs. They may hold personal data or secrets your users send. Only owners and
        admins can read them, and every read is recorded in the audit log (<code>request_log.body_read</code>). Request logs without bodies
        (model, tokens, cost, status) are kept either way.
      </p>
    </fieldset>
  );
}
