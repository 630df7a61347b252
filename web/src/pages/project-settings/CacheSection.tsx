/** Response caching: on or off, and how long a cached answer is served. */
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
      <label htmlFor="cache-ttl">Keep cached responses for (seconds)</label>
      <input
        id="cache-ttl"
        type="number"
        inputMode="numeric"
        min={1}
        max={2_592_000}
        step={1}
        value={draft.ttlSeconds}
        onChange={(e) => update({ ttlSeconds: e.target.value })}
        aria-describedby="cache-ttl-hint"
      />
      <p id="cache-ttl-hint" className="hint">
        From 1 second to 30 days (2,592,000 seconds). Default: 3,600 (one hour).
      </p>
    </fieldset>
  );
}
