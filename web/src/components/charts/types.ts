/** What a time chart is drawn from: one value per bucket per series (null: nothing to measure there). */
import type { UsageBucket } from '../../api/usage-schemas.ts';

/** Colours come from the theme through CSS classes (`tone-primary` …), never from attributes. */
export type ChartTone = 'primary' | 'secondary' | 'danger';

export type ChartSeries = {
  name: string;
  values: readonly (number | null)[];
  tone: ChartTone;
};

export type TimeChartData = {
  bucket: UsageBucket;
  /** Each bucket's start (ISO, UTC). */
  starts: readonly string[];
  series: readonly ChartSeries[];
  /** A value in full, for the table and tooltips. */
  format: (value: number) => string;
  /** A value on the axis, kept short. */
  axisFormat: (value: number) => string;
};
