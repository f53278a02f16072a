/** Messages per second per node over simulated time: one line per node (presentational). */
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { RatePoint, RateSeries } from './rates.ts';
import { AXIS_COLOR, seriesColor } from './palette.ts';
import { TOOLTIP_STYLE } from './chart-look.tsx';

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const SECONDS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

export function RateChart({ series, height = 280 }: { series: RateSeries; height?: number }) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <LineChart data={series.points} margin={{ top: 8, right: 24, bottom: 4, left: 4 }}>
        <CartesianGrid stroke="#e8ebef" vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          domain={[0, 'auto']}
          tickFormatter={(v: number) => `${SECONDS.format(v)} s`}
          stroke={AXIS_COLOR}
          fontSize={12}
          tickLine={false}
        />
        <YAxis
          stroke={AXIS_COLOR}
          fontSize={12}
          tickLine={false}
          axisLine={false}
          width={64}
          tickFormatter={(v: number) => NUMBER.format(v)}
          label={{ value: 'msg/s', angle: -90, position: 'insideLeft', offset: 10, fill: AXIS_COLOR, fontSize: 12 }}
        />
        <Tooltip
          formatter={(v) => [`${NUMBER.format(Number(v))} msg/s`]}
          labelFormatter={(t) => `t = ${SECONDS.format(Number(t))} s`}
          contentStyle={TOOLTIP_STYLE}
        />
        <Legend iconType="plainline" wrapperStyle={{ fontSize: 12, paddingTop: 4 }} />
        {series.nodes.map((node, i) => (
          <Line
            key={node}
            name={node}
            type="linear"
            dataKey={(p: RatePoint) => p.rates[node]}
            stroke={seriesColor(i)}
            strokeWidth={1.8}
            dot={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}
