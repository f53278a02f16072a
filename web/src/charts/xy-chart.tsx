/**
 * An x–y chart (presentational): each series with its own points (latency CDFs), or one shared set
 * of points (a sweep's metric against its parameter). Log axes where asked, tooltips naming
 * series and value, legend toggles, units on both axes.
 */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { tick, withUnit } from './chart-format.ts';
import { seriesColor } from './palette.ts';
import { lineLook, TOOLTIP_STYLE, useLegendToggle, Y_AXIS } from './chart-look.tsx';

export interface XySeries {
  name: string;
  /** Own points (x in `x`, y in `y`), or omitted to read `name` from the shared points. */
  points?: { x: number; y: number }[];
}

export interface XyChartProps {
  series: XySeries[];
  shared?: Record<string, number | string>[];
  xKey?: string;
  xLabel: string;
  xUnit: string;
  yLabel: string;
  yUnit: string;
  logX?: boolean;
  logY?: boolean;
  /** Category x axis: ticks from `xTicks` by index. */
  categoryTicks?: string[];
  yDomain?: [number, number];
  colorOf?: (series: string) => number;
  height?: number;
  testId?: string;
}

export function XyChart({ series, shared, xKey = 'x', xLabel, xUnit, yLabel, yUnit, logX, logY, categoryTicks, yDomain, colorOf, height = 260, testId }: XyChartProps) {
  const { hidden, legend } = useLegendToggle();
  const fmtX = (v: number) => (categoryTicks ? (categoryTicks[Math.round(v)] ?? '') : `${tick(v)}${xUnit ? ` ${xUnit}` : ''}`);
  return (
    <div className="campaign-chart" data-testid={testId} data-series={series.map((s) => s.name).join('|')} data-log-x={logX ? 'true' : 'false'}>
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={shared} margin={{ top: 10, right: 24, bottom: 18, left: 4 }}>
          <CartesianGrid stroke="#e8ebef" />
          <XAxis
            dataKey={xKey}
            type="number"
            scale={logX ? 'log' : 'auto'}
            domain={logX ? ['dataMin', 'dataMax'] : categoryTicks ? [0, Math.max(0, categoryTicks.length - 1)] : ['auto', 'auto']}
            ticks={categoryTicks ? categoryTicks.map((_, i) => i) : undefined}
            allowDuplicatedCategory={false}
            tickFormatter={fmtX}
            stroke="#8b95a3"
            fontSize={12}
            label={{ value: `${xLabel}${logX ? ' (log)' : ''}`, position: 'insideBottom', offset: -10, fill: '#6b7482', fontSize: 12 }}
          />
          <YAxis
            type="number"
            scale={logY ? 'log' : 'auto'}
            domain={yDomain ?? (logY ? ['auto', 'auto'] : [0, 'auto'])}
            allowDataOverflow={logY}
            {...Y_AXIS}
            label={{ value: `${yLabel}${yUnit ? ` (${yUnit})` : ''}${logY ? ', log' : ''}`, angle: -90, position: 'insideLeft', offset: 10, fill: '#6b7482', fontSize: 12, style: { textAnchor: 'middle' } }}
          />
          <Tooltip
            formatter={(v, name) => [withUnit(Number(v), yUnit), String(name)]}
            labelFormatter={(x) => `${xLabel} = ${fmtX(Number(x))}`}
            contentStyle={TOOLTIP_STYLE}
          />
          <Legend {...legend} verticalAlign="top" wrapperStyle={{ fontSize: 12, paddingBottom: 4, cursor: 'pointer' }} />
          {series.map((s, i) => (
            <Line
              key={s.name}
              name={s.name}
              data={s.points}
              dataKey={s.points ? 'y' : s.name}
              type="linear"
              {...lineLook(i, seriesColor(colorOf ? colorOf(s.name) : i))}
              dot={!s.points}
              hide={hidden.has(s.name)}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
