/** The numbers behind a chart as a table, in a closed <details>: for screen readers, and for anyone who wants the figures. */
import { fullTimeLabel } from './scale.ts';
import type { TimeChartData } from './types.ts';
import { TableScroller } from '../TableScroller.tsx';

export function ChartDataTable({ title, data }: { title: string; data: TimeChartData }) {
  const timeHeading = data.bucket === 'hour' ? 'Hour (UTC)' : 'Day (UTC)';
  return (
    <details className="chart-table">
      <summary>{title} as a table</summary>
      <TableScroller>
        <table>
          <caption className="visually-hidden">
            {title} per {data.bucket} (UTC)
          </caption>
          <thead>
            <tr>
              <th scope="col">{timeHeading}</th>
              {data.series.map((series) => (
                <th scope="col" key={series.name}>
                  {series.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data.starts.map((start, index) => (
              <tr key={start} data-start={start}>
                <th scope="row" data-label={timeHeading}>
                  {fullTimeLabel(start, data.bucket)}
                </th>
                {data.series.map((series) => {
                  const value = series.values[index] ?? null;
                  return (
                    <td key={series.name} data-label={series.name} data-series={series.name} data-value={value ?? ''}>
                      {value === null ? '—' : data.format(value)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroller>
    </details>
  );
}
