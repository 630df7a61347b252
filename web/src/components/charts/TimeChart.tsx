/**
 * A small time chart in plain SVG: bars (stacked when there are several series) or lines, a value
 * axis with three labelled ticks, a few UTC time labels, and the same numbers as a table below.
 * No inline style anywhere (the dashboard's CSP forbids it): sizes are SVG attributes, colours
 * CSS classes. The SVG is one image with a summary as its name; the table is the accessible detail.
 */
import { ChartDataTable } from './ChartDataTable.tsx';
import { axisTimeLabel, fullTimeLabel, labelledIndexes, niceCeiling } from './scale.ts';
import type { ChartSeries, TimeChartData } from './types.ts';

const WIDTH = 400;
const HEIGHT = 180;
const MARGIN = { top: 10, right: 12, bottom: 26, left: 52 };
const PLOT_WIDTH = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_HEIGHT = HEIGHT - MARGIN.top - MARGIN.bottom;

type Props = {
  /** Short id for the DOM (`data-chart`), e.g. `requests`. */
  id: string;
  title: string;
  kind: 'bar' | 'line';
  data: TimeChartData;
  /** A fixed top of the value axis (1 for rates); otherwise a round number above the highest value. */
  yMax?: number;
};

type Geometry = { slot: number; y: (value: number) => number; xCenter: (index: number) => number };

function highestValue(kind: Props['kind'], series: readonly ChartSeries[], length: number): number {
  let highest = 0;
  for (let index = 0; index < length; index++) {
    const values = series.map((s) => s.values[index] ?? 0);
    const atIndex = kind === 'bar' ? values.reduce((sum, value) => sum + value, 0) : Math.max(0, ...values);
    highest = Math.max(highest, atIndex);
  }
  return highest;
}

/** One sentence for the image's name: what, how often, the total or range, and the peak. */
function summaryOf(title: string, kind: Props['kind'], data: TimeChartData): string {
  const parts = data.series.map((series) => {
    const present = series.values.flatMap((value, index) => (value === null ? [] : [{ value, index }]));
    if (present.length === 0) return `${series.name}: no data`;
    const peak = present.reduce((best, point) => (point.value > best.value ? point : best));
    const start = data.starts[peak.index];
    const when = start === undefined ? '' : ` at ${fullTimeLabel(start, data.bucket)}`;
    const total = kind === 'bar' ? `total ${data.format(present.reduce((sum, point) => sum + point.value, 0))}, ` : '';
    return `${series.name}: ${total}highest ${data.format(peak.value)}${when}`;
  });
  return `${title} per ${data.bucket} (UTC), ${data.starts.length} ${data.bucket}s. ${parts.join('; ')}.`;
}

function Bars({ data, geometry }: { data: TimeChartData; geometry: Geometry }) {
  const barWidth = Math.max(1, geometry.slot * 0.7);
  return (
    <g>
      {data.starts.map((start, index) => {
        let base = 0;
        return data.series.map((series) => {
          const value = series.values[index] ?? 0;
          if (value <= 0) return null;
          const top = geometry.y(base + value);
          const bottom = geometry.y(base);
          base += value;
          return (
            <rect
              key={`${series.name}-${start}`}
              className={`chart-bar tone-${series.tone}`}
              x={geometry.xCenter(index) - barWidth / 2}
              y={top}
              width={barWidth}
              height={Math.max(0.5, bottom - top)}
            >
              <title>{`${fullTimeLabel(start, data.bucket)}: ${series.name} ${data.format(value)}`}</title>
            </rect>
          );
        });
      })}
    </g>
  );
}

/** Runs of consecutive non-null points: a gap where nothing was measured, rather than a line through zero. */
function segmentsOf(values: readonly (number | null)[]): { index: number; value: number }[][] {
  const segments: { index: number; value: number }[][] = [];
  let current: { index: number; value: number }[] = [];
  values.forEach((value, index) => {
    if (value === null) {
      if (current.length > 0) segments.push(current);
      current = [];
    } else current.push({ index, value });
  });
  if (current.length > 0) segments.push(current);
  return segments;
}

function Lines({ data, geometry }: { data: TimeChartData; geometry: Geometry }) {
  return (
    <g>
      {data.series.map((series) =>
        segmentsOf(series.values).map((segment) => (
          <g key={`${series.name}-${segment[0]?.index ?? 0}`}>
            {segment.length > 1 ? (
              <polyline
                className={`chart-line tone-${series.tone}`}
                points={segment.map((point) => `${geometry.xCenter(point.index)},${geometry.y(point.value)}`).join(' ')}
              />
            ) : null}
            {segment.map((point) => (
              <circle
                key={point.index}
                className={`chart-dot tone-${series.tone}`}
                cx={geometry.xCenter(point.index)}
                cy={geometry.y(point.value)}
                r={2.5}
              >
                <title>{`${fullTimeLabel(data.starts[point.index] ?? '', data.bucket)}: ${series.name} ${data.format(point.value)}`}</title>
              </circle>
            ))}
          </g>
        )),
      )}
    </g>
  );
}

export function TimeChart({ id, title, kind, data, yMax }: Props) {
  const length = data.starts.length;
  const top = yMax ?? niceCeiling(highestValue(kind, data.series, length));
  const slot = length > 0 ? PLOT_WIDTH / length : PLOT_WIDTH;
  const geometry: Geometry = {
    slot,
    y: (value) => MARGIN.top + PLOT_HEIGHT - (Math.min(value, top) / top) * PLOT_HEIGHT,
    xCenter: (index) => MARGIN.left + slot * (index + 0.5),
  };
  const ticks = [0, top / 2, top];
  const titleId = `chart-${id}-title`;
  return (
    <section className="chart-card" aria-labelledby={titleId} data-chart={id}>
      <h3 id={titleId}>{title}</h3>
      {data.series.length > 1 ? (
        <ul className="chart-legend" aria-label={`${title}: series`}>
          {data.series.map((series) => (
            <li key={series.name}>
              <span className={`chart-swatch tone-${series.tone}`} aria-hidden="true" />
              {series.name}
            </li>
          ))}
        </ul>
      ) : null}
      <svg className="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summaryOf(title, kind, data)}>
        <g>
          {ticks.map((tick) => (
            <g key={tick}>
              <line className="chart-gridline" x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={geometry.y(tick)} y2={geometry.y(tick)} />
              <text className="chart-label" x={MARGIN.left - 6} y={geometry.y(tick)} textAnchor="end" dominantBaseline="middle">
                {data.axisFormat(tick)}
              </text>
            </g>
          ))}
          {labelledIndexes(length).map((index) => (
            <text key={index} className="chart-label" x={geometry.xCenter(index)} y={HEIGHT - 8} textAnchor="middle">
              {axisTimeLabel(data.starts[index] ?? '', data.bucket)}
            </text>
          ))}
          <line className="chart-axis" x1={MARGIN.left} x2={WIDTH - MARGIN.right} y1={geometry.y(0)} y2={geometry.y(0)} />
        </g>
        {kind === 'bar' ? <Bars data={data} geometry={geometry} /> : <Lines data={data} geometry={geometry} />}
      </svg>
      <ChartDataTable title={title} data={data} />
    </section>
  );
}
