/** The usage limit rows of the edit dialog (metric, period, amount), each removable, plus "Add a limit". */
import { USAGE_METRICS, USAGE_PERIODS, type UsageMetric, type UsagePeriod } from '../../api/api-key-schemas.ts';
import { nextDraft, type LimitDraft } from './edit-key-form.ts';
import { METRIC_LABELS, PERIOD_LABELS } from './key-limit-labels.ts';

type Props = { drafts: LimitDraft[]; onChange: (drafts: LimitDraft[]) => void };

export function UsageLimitsFields({ drafts, onChange }: Props) {
  const update = (id: number, change: Partial<LimitDraft>) => onChange(drafts.map((d) => (d.id === id ? { ...d, ...change } : d)));
  const nextId = drafts.reduce((max, d) => Math.max(max, d.id), -1) + 1;
  return (
    <fieldset className="key-limits">
      <legend>Usage limits</legend>
      {drafts.length === 0 ? <p className="hint">No usage limit: only the project’s and organization’s limits apply.</p> : null}
      {drafts.map((draft, index) => (
        <div key={draft.id} className="key-limit-row">
          <div>
            <label htmlFor={`limit-metric-${draft.id}`}>Metric of limit {index + 1}</label>
            <select
              id={`limit-metric-${draft.id}`}
              value={draft.metric}
              onChange={(e) => update(draft.id, { metric: e.target.value as UsageMetric, alertThresholds: undefined })}
            >
              {USAGE_METRICS.map((metric) => (
                <option key={metric} value={metric}>
                  {METRIC_LABELS[metric]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`limit-period-${draft.id}`}>Period of limit {index + 1}</label>
            <select
              id={`limit-period-${draft.id}`}
              value={draft.period}
              onChange={(e) => update(draft.id, { period: e.target.value as UsagePeriod, alertThresholds: undefined })}
            >
              {USAGE_PERIODS.map((period) => (
                <option key={period} value={period}>
                  {PERIOD_LABELS[period]}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor={`limit-amount-${draft.id}`}>Amount of limit {index + 1}</label>
            <input
              id={`limit-amount-${draft.id}`}
              type="number"
              inputMode="decimal"
              min="0"
              step="any"
              value={draft.limit}
              onChange={(e) => update(draft.id, { limit: e.target.value })}
            />
          </div>
          <button
            type="button"
            className="secondary small"
            onClick={() => onChange(drafts.filter((d) => d.id !== draft.id))}
            aria-label={`Remove limit ${index + 1}`}
          >
            Remove
          </button>
        </div>
      ))}
      <div>
        <button type="button" className="secondary small" onClick={() => onChange([...drafts, nextDraft(drafts, nextId)])}>
          Add a limit
        </button>
      </div>
    </fieldset>
  );
}
