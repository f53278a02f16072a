/**
 * Mean per policy with the spread over seeds (presentational): a bar for the mean, an error bar
 * from the lowest to the highest seed, the sd in the tooltip.
 */
import { Bar, BarChart, CartesianGrid, Cell, ErrorBar, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { tick } from './chart-format.ts';
import { seriesColor } from './palette.ts';
import type { SpreadPoint } from './campaign-series.ts';

export function SpreadChart({ points, metric, colorOf, height = 220 }: { points: SpreadPoint[]; metric: string; colorOf: (policy: string) => number; height?: number }) {
  return (
    <div className="campaign-chart" data-testid="spread-chart" data-metric={metric}>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={points} margin={{ top: 10, right: 16, bottom: 4, left: 4 }}>
          <CartesianGrid stroke="#e8ebef" vertical={false} />
          <XAxis dataKey="policy" stroke="#8b95a3" fontSize={11} tickLine={false} interval={0} />
          <YAxis stroke="#8b95a3" fontSize={12} tickLine={false} axisLine={false} width={64} tickFormatter={(v: number) => tick(v)} />
          <Tooltip
            content={({ active, payload }) => {
              const p = active ? (payload?.[0]?.payload as SpreadPoint | undefined) : undefined;
              if (!p) return null;
              return (
                <div className="chart-tip">
                  <strong>{p.policy}</strong>
                  <div>
                    {metric}: mean {tick(p.mean)} ± {tick(p.sd)} (sd)
                  </div>
                  <div>
                    seeds from {tick(p.min)} to {tick(p.max)}
                  </div>
                </div>
              );
            }}
          />
          <Bar dataKey="mean" isAnimationActive={false}>
            {points.map((p) => (
              <Cell key={p.policy} fill={seriesColor(colorOf(p.policy))} fillOpacity={0.75} />
            ))}
            <ErrorBar dataKey="range" width={6} stroke="#333" strokeWidth={1.2} />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
