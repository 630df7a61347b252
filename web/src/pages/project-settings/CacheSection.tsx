/** Response caching: on or off, and how long a cached answer is served. */
import { WholeNumberField } from '../../components/WholeNumberField.tsx';
import type { SectionProps } from './draft-props.ts';

export function CacheSection({ draft, update, readOnly }: SectionProps) {
  return (
    <fieldset disabled={readOnly}>
      <legend>Response cache</legend>
      <p className="hint">
        The gateway answers a repeated identical request from its cache (encrypted under the organization’s data key) instead of calling the
        provider again, at no cost. A request sent with <code>Cache-Control: no-cache</code> skips it.
      </p>
      <label className="checkbox" htmlFor="cache-enabled">
        <input
          id="cache-enabled"
          type="checkbox"
          checked={draft.cacheEnabled}
          onChange={(e) => update({ cacheEnabled: e.target.checked })}
        />
        Cache responses
      </label>
      <WholeNumberField
        id="cache-ttl"
        label="Keep cached responses for (seconds)"
        min={1}
        max={2_592_000}
        value={draft.ttlSeconds}
        onChange={(ttlSeconds) => update({ ttlSeconds })}
        hint="From 1 second to 30 days (2,592,000 seconds). Default: 3,600 (one hour)."
      />
    </fieldset>
  );
}
