/** One usage limit of the limits form: metric, period, the limit and its alert thresholds, each labelled. */
import { USAGE_METRICS, USAGE_PERIODS, type UsageMetric, type UsagePeriod } from '../../api/limits-schemas.ts';
import type { UsageLimitDraft } from './limits-draft.ts';

const METRIC_NAMES: Record<UsageMetric, string> = { spend_usd: 'Spend (USD)', tokens: 'Tokens', requests: 'Requests' };

type Props = { row: UsageLimitDraft; onChange: (patch: Partial<UsageLimitDraft>) => void; onRemove: () => void; readOnly: boolean };

const isMetric = (value: string): value is UsageMetric => USAGE_METRICS.some((metric) => metric === value);
const isPeriod = (value: string): value is UsagePeriod => USAGE_PERIODS.some((period) => period === value);

export function UsageLimitRow({ row, onChange, onRemove, readOnly }: Props) {
  const id = (field: string) => `usage-limit-${row.key}-${field}`;
  const title = `${row.period} ${METRIC_NAMES[row.metric].toLowerCase()} limit`;
  return (
    <li className="usage-limit" aria-label={title}>
      <div className="usage-limit-field">
        <label htmlFor={id('metric')}>Metric</label>
        <select id={id('metric')} value={row.metric} onChange={(e) => isMetric(e.target.value) && onChange({ metric: e.target.value })}>
          {USAGE_METRICS.map((metric) => (
            <option key={metric} value={metric}>
              {METRIC_NAMES[metric]}
            </option>
          ))}
        </select>
      </div>
      <div className="usage-limit-field">
        <label htmlFor={id('period')}>Period</label>
        <select id={id('period')} value={row.period} onChange={(e) => isPeriod(e.target.value) && onChange({ period: e.target.value })}>
          {USAGE_PERIODS.map((period) => (
            <option key={period} value={period}>
              {period}
            </option>
          ))}
        </select>
      </div>
      <div className="usage-limit-field">
        <label htmlFor={id('limit')}>Limit</label>
        <input
          id={id('limit')}
          type="text"
          inputMode="decimal"
          value={row.limit}
          onChange={(e) => onChange({ limit: e.target.value })}
          required
        />
      </div>
      <div className="usage-limit-field">
        <label htmlFor={id('alerts')}>Alert at (% of the limit)</label>
        <input
          id={id('alerts')}
          type="text"
          inputMode="numeric"
          value={row.alertThresholds}
          onChange={(e) => onChange({ alertThresholds: e.target.value })}
          placeholder="50, 80, 100"
        />
      </div>
      {readOnly ? null : (
        <button type="button" className="danger small" onClick={onRemove} aria-label={`Remove the ${title}`}>
          Remove
        </button>
      )}
    </li>
  );
}
