/** Messages per second per node, from the run's sample rows. */
import { useMemo } from 'react';
import type { NodeInfo, SampleRow } from '../../../sim/server/api-types.ts';
import { Card } from '../components/card.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { RateChart } from '../charts/rate-chart.tsx';
import { messageRates } from '../charts/rates.ts';
import { formatDuration } from '../format.ts';

export function RateView({ nodes, samples, intervalNs, running }: { nodes: NodeInfo[]; samples: SampleRow[]; intervalNs: number; running: boolean }) {
  const series = useMemo(() => messageRates(samples, intervalNs, nodes.map((n) => n.id)), [samples, intervalNs, nodes]);
  return (
    <Card
      title="Messages per second, by node"
      aside={intervalNs > 0 && <span className="muted">received, per {formatDuration(intervalNs)} interval</span>}
    >
      <div className="chart" data-testid="rate-chart" data-points={series.points.length}>
        {series.points.length === 0 ? (
          <EmptyState title={running ? 'Waiting for the first sample…' : 'No samples'}>
            {running ? null : 'The run ended before its first sampling interval.'}
          </EmptyState>
        ) : (
          <RateChart series={series} />
        )}
      </div>
    </Card>
  );
}
