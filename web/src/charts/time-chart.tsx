/**
 * A time chart for campaign results (presentational): one line per series over simulated seconds,
 * x axis from 0 to the run's end, tooltips naming series and value with its unit, a brush to zoom
 * on time, legend entries that hide/show their series, dashes that keep overlapping lines apart,
 * and optional vertical markers (e.g. "all done").
 */
import { Brush, CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { tick, withUnit } from './chart-format.ts';
import { seriesColor } from './palette.ts';
import type { Point } from './campaign-series.ts';
import { lineLook, TOOLTIP_STYLE, useLegendToggle, Y_AXIS } from './chart-look.tsx';

export interface TimeChartProps {
  series: string[];
  points: Point[];
  /** End of the x axis: the run's end, seconds. */
  endS: number;
  /** Unit of the values, shown on the y axis and in tooltips. */
  unit: string;
  yLabel: string;
  markers?: { x: number; label: string; series: string }[];
  /** Series index → colour index, so a series keeps its colour across charts. */
  colorOf?: (series: string) => number;
  height?: number;
  testId?: string;
  stepped?: boolean;
}

export function TimeChart({ series, points, endS, unit, yLabel, markers = [], colorOf, height = 260, testId, stepped }: TimeChartProps) {
  const { hidden, legend } = useLegendToggle();
  const color = (s: string, i: number) => seriesColor(colorOf ? colorOf(s) : i);
  return (
    <div className="campaign-chart" data-testid={testId} data-points={points.length} data-series={series.join('|')} data-end-s={endS}>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={points} margin={{ top: 10, right: 24, bottom: 4, left: 4 }}>
          <CartesianGrid stroke="#e8ebef" vertical={false} />
          <XAxis
            dataKey="t"
            type="number"
            domain={[0, endS > 0 ? endS : 'auto']}
            allowDataOverflow
            tickFormatter={(v: number) => `${tick(v)} s`}
            stroke="#8b95a3"
            fontSize={12}
            tickLine={false}
          />
          <YAxis
            {...Y_AXIS}
            label={{ value: `${yLabel} (${unit})`, angle: -90, position: 'insideLeft', offset: 10, fill: '#6b7482', fontSize: 12, style: { textAnchor: 'middle' } }}
          />
          <Tooltip
            formatter={(v, name) => [withUnit(Number(v), unit), String(name)]}
            labelFormatter={(t) => `t = ${tick(Number(t))} s`}
            contentStyle={TOOLTIP_STYLE}
          />
          <Legend {...legend} wrapperStyle={{ fontSize: 12, paddingTop: 4, cursor: 'pointer' }} />
          {series.map((s, i) => (
            <Line
              key={s}
              name={s}
              dataKey={s}
              type={stepped ? 'stepAfter' : 'linear'}
              {...lineLook(i, color(s, i))}
              dot={points.length <= 40 ? { r: 2.5 } : false}
              hide={hidden.has(s)}
            />
          ))}
          {markers
            .filter((m) => !hidden.has(m.series))
            .map((m) => (
              <ReferenceLine
                key={`${m.series}-${m.x}`}
                x={m.x}
                stroke={color(m.series, series.indexOf(m.series))}
                strokeDasharray="4 3"
                label={{ value: m.label, position: 'insideTopRight', fontSize: 11, fill: '#4a5566' }}
              />
            ))}
          {points.length > 20 && <Brush dataKey="t" height={22} stroke="#9aa5b4" travellerWidth={8} tickFormatter={(v: number) => `${tick(v)} s`} />}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
