/**
 * The project's usage limits (metric, period, limit, alert thresholds) and rate limits, saved on their
 * own (PUT …/limits, limits:write: admins and owners) because the api keeps them apart from the other
 * settings. After a save the settings are read again: they include the limits, so their version moved.
 */
import { useState, type FormEvent } from 'react';
import { saveProjectLimits } from '../../api/limits-queries.ts';
import { MAX_USAGE_LIMITS, USAGE_METRICS, USAGE_PERIODS, type Limits } from '../../api/limits-schemas.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { useSubmission } from '../../lib/submission.ts';
import { DEFAULT_ALERT_THRESHOLDS, toLimits, toLimitsDraft, type LimitsDraft, type UsageLimitDraft } from './limits-draft.ts';
import { UsageLimitRow } from './UsageLimitRow.tsx';

type Props = {
  orgId: string;
  projectId: string;
  current: Limits;
  readOnly: boolean;
  /** Kept by the page: this form is rebuilt when the limits read again after a save differ. */
  saved: boolean;
  onSaved: () => void;
  onEdit: () => void;
};

export function LimitsSection({ orgId, projectId, current, readOnly, saved, onSaved, onEdit }: Props) {
  const [draft, setDraft] = useState<LimitsDraft>(() => toLimitsDraft(current));
  const { error, busy, run, refuse } = useSubmission();
  const update = (patch: Partial<LimitsDraft>) => {
    setDraft((previous) => ({ ...previous, ...patch }));
    onEdit();
  };
  const changeRow = (key: number, patch: Partial<UsageLimitDraft>) =>
    update({ usage: draft.usage.map((row) => (row.key === key ? { ...row, ...patch } : row)) });

  function addRow() {
    // Offer a metric and period not used yet: the api allows one limit per pair.
    const used = new Set(draft.usage.map((row) => `${row.metric}/${row.period}`));
    const pairs = USAGE_METRICS.flatMap((metric) => USAGE_PERIODS.map((period) => ({ metric, period })));
    const free = pairs.find((pair) => !used.has(`${pair.metric}/${pair.period}`)) ?? {
      metric: 'requests' as const,
      period: 'daily' as const,
    };
    const key = Math.max(-1, ...draft.usage.map((row) => row.key)) + 1;
    update({ usage: [...draft.usage, { key, ...free, limit: '', alertThresholds: DEFAULT_ALERT_THRESHOLDS }] });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (readOnly) return;
    const limits = toLimits(draft);
    if (limits instanceof Error) return refuse(limits);
    run(async () => {
      await saveProjectLimits(orgId, projectId, limits);
      onSaved();
    });
  }

  return (
    <form className="settings-form" onSubmit={onSubmit} noValidate aria-labelledby="project-limits-title">
      <h2 id="project-limits-title">Limits</h2>
      <p className="hint">
        Saved separately from the settings above. The gateway refuses a request of this project once a limit is reached (429), checking the
        organization’s and the API key’s limits too.
      </p>
      <fieldset disabled={readOnly}>
        <legend>Usage limits</legend>
        {draft.usage.length === 0 ? <p className="muted">No usage limit: the project is limited only by the organization’s.</p> : null}
        <ul className="usage-limits">
          {draft.usage.map((row) => (
            <UsageLimitRow
              key={row.key}
              row={row}
              readOnly={readOnly}
              onChange={(patch) => changeRow(row.key, patch)}
              onRemove={() => update({ usage: draft.usage.filter((other) => other.key !== row.key) })}
            />
          ))}
        </ul>
        {readOnly || draft.usage.length >= MAX_USAGE_LIMITS ? null : (
          <button type="button" className="secondary" onClick={addRow}>
            Add a usage limit
          </button>
        )}
        <p className="hint">
          One limit per metric and period. Spend is in US dollars; alerts go out (webhook and audit log) once per period at each percentage.
        </p>
      </fieldset>
      <fieldset disabled={readOnly}>
        <legend>Rate limits</legend>
        <label htmlFor="limit-requests-per-minute">Requests per minute</label>
        <input
          id="limit-requests-per-minute"
          type="text"
          inputMode="numeric"
          value={draft.requestsPerMinute}
          onChange={(e) => update({ requestsPerMinute: e.target.value })}
          aria-describedby="rate-limit-hint"
        />
        <label htmlFor="limit-tokens-per-minute">Tokens per minute</label>
        <input
          id="limit-tokens-per-minute"
          type="text"
          inputMode="numeric"
          value={draft.tokensPerMinute}
          onChange={(e) => update({ tokensPerMinute: e.target.value })}
          aria-describedby="rate-limit-hint"
        />
        <p id="rate-limit-hint" className="hint">
          Empty: no rate limit of this project.
        </p>
      </fieldset>
      <ErrorMessage error={error} />
      <p role="status" className="muted">
        {saved ? 'Limits saved.' : ''}
      </p>
      {readOnly ? null : (
        <div className="settings-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save limits'}
          </button>
          <button type="button" className="secondary" onClick={() => update(toLimitsDraft(current))} disabled={busy}>
            Undo limit changes
          </button>
        </div>
      )}
    </form>
  );
}
