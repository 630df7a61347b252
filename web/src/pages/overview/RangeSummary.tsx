/** The chosen range in numbers: one tile per metric the charts below show over time. */
import type { UsagePoint } from '../../api/usage-schemas.ts';
import { cacheHitRate, errorRate, formatCost, formatCount, formatMs, formatPercent, totalTokens } from './usage-metrics.ts';

const orDash = (value: number | null, format: (value: number) => string): string => (value === null ? '—' : format(value));

export function RangeSummary({ totals, label }: { totals: UsagePoint; label: string }) {
  const tiles: { id: string; name: string; value: string; hint?: string }[] = [
    { id: 'requests', name: 'Requests', value: formatCount(totals.requests) },
    {
      id: 'tokens',
      name: 'Tokens',
      value: formatCount(totalTokens(totals)),
      hint: `${formatCount(totals.inputTokens)} in, ${formatCount(totals.outputTokens)} out`,
    },
    { id: 'cost', name: 'Cost', value: formatCost(totals.costUsd) },
    { id: 'error-rate', name: 'Error rate', value: orDash(errorRate(totals), formatPercent), hint: `${formatCount(totals.errors)} errors` },
    { id: 'latency-p50', name: 'Latency p50', value: orDash(totals.latencyP50Ms, formatMs) },
    { id: 'latency-p95', name: 'Latency p95', value: orDash(totals.latencyP95Ms, formatMs) },
    {
      id: 'cache-hit-rate',
      name: 'Cache hit rate',
      value: orDash(cacheHitRate(totals), formatPercent),
      hint: `${formatCount(totals.cacheHits)} of ${formatCount(totals.cacheableRequests)} cacheable`,
    },
    { id: 'guardrail-blocks', name: 'Guardrail blocks', value: formatCount(totals.guardrailBlocks) },
  ];
  return (
    <dl className="stats range-stats" aria-label={`Totals, ${label.toLowerCase()}`}>
      {tiles.map((tile) => (
        <div className="stat" key={tile.id}>
          <dt>{tile.name}</dt>
          <dd data-range-stat={tile.id}>{tile.value}</dd>
          {tile.hint === undefined ? null : <dd className="stat-hint">{tile.hint}</dd>}
        </div>
      ))}
    </dl>
  );
}
