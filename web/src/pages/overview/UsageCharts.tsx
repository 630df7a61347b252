/** One small chart per metric over the chosen range, each with its numbers as a table. */
import type { UsageTimeseries } from '../../api/usage-schemas.ts';
import { TimeChart } from '../../components/charts/TimeChart.tsx';
import { compactNumber } from '../../components/charts/scale.ts';
import type { ChartSeries, TimeChartData } from '../../components/charts/types.ts';
import { cacheHitRate, errorRate, formatCost, formatCount, formatMs, formatPercent } from './usage-metrics.ts';

// Significant digits, not decimals: a day of a cheap model costs fractions of a cent.
const compactUsd = (value: number): string =>
  value.toLocaleString(undefined, { style: 'currency', currency: 'USD', notation: 'compact', maximumSignificantDigits: 2 });
const wholePercent = (value: number): string => value.toLocaleString(undefined, { style: 'percent', maximumFractionDigits: 0 });

export function UsageCharts({ series }: { series: UsageTimeseries }) {
  const points = series.buckets;
  const dataOf = (chartSeries: ChartSeries[], format: (value: number) => string, axisFormat = compactNumber): TimeChartData => ({
    bucket: series.bucket,
    starts: points.map((point) => point.start),
    series: chartSeries,
    format,
    axisFormat,
  });
  return (
    <div className="charts">
      <TimeChart
        id="requests"
        title="Requests"
        kind="bar"
        data={dataOf([{ name: 'Requests', tone: 'primary', values: points.map((p) => p.requests) }], formatCount)}
      />
      <TimeChart
        id="tokens"
        title="Tokens"
        kind="bar"
        data={dataOf(
          [
            { name: 'Input tokens', tone: 'primary', values: points.map((p) => p.inputTokens) },
            { name: 'Output tokens', tone: 'secondary', values: points.map((p) => p.outputTokens) },
          ],
          formatCount,
        )}
      />
      <TimeChart
        id="cost"
        title="Cost"
        kind="bar"
        data={dataOf([{ name: 'Cost (USD)', tone: 'primary', values: points.map((p) => p.costUsd) }], formatCost, compactUsd)}
      />
      <TimeChart
        id="error-rate"
        title="Error rate"
        kind="line"
        yMax={1}
        data={dataOf([{ name: 'Error rate', tone: 'danger', values: points.map(errorRate) }], formatPercent, wholePercent)}
      />
      {/* The counts beside the rate: 1 error in 2 requests and 50 in 100 are the same rate but not the same news. */}
      <TimeChart
        id="errors"
        title="Errors"
        kind="bar"
        data={dataOf([{ name: 'Errors', tone: 'danger', values: points.map((p) => p.errors) }], formatCount)}
      />
      <TimeChart
        id="latency"
        title="Latency"
        kind="line"
        data={dataOf(
          [
            { name: 'p50', tone: 'primary', values: points.map((p) => p.latencyP50Ms) },
            { name: 'p95', tone: 'secondary', values: points.map((p) => p.latencyP95Ms) },
          ],
          formatMs,
          (value) => `${compactNumber(value)} ms`,
        )}
      />
      <TimeChart
        id="cache-hit-rate"
        title="Cache hit rate"
        kind="line"
        yMax={1}
        data={dataOf([{ name: 'Cache hit rate', tone: 'primary', values: points.map(cacheHitRate) }], formatPercent, wholePercent)}
      />
      <TimeChart
        id="guardrail-blocks"
        title="Guardrail blocks"
        kind="bar"
        data={dataOf([{ name: 'Guardrail blocks', tone: 'danger', values: points.map((p) => p.guardrailBlocks) }], formatCount)}
      />
    </div>
  );
}
