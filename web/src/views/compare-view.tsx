/**
 * Compare variants: every variant of the scenario on the same seed, in parallel on the server's
 * worker pool, drawn side by side — load per node over time, completion curves with the all-done
 * time marked, latency percentiles and CDF, and a totals table with ratios to the first variant
 * (the numbers of comparison.csv).
 */
import { memo, useMemo, useState } from 'react';
import { Card } from '../components/card.tsx';
import { CheckList } from '../components/check-list.tsx';
import { DataTable } from '../components/data-table.tsx';
import { completion, latencyCdf, LOAD_METRICS, nodeLoad, nodesOf, procedures, totals, type LoadMetric, type Run } from '../charts/campaign-series.ts';
import { tick } from '../charts/chart-format.ts';
import { TimeChart } from '../charts/time-chart.tsx';
import { XyChart } from '../charts/xy-chart.tsx';
import { useViewResult } from '../hooks/stable-outputs.ts';
import { StaggeredMount } from '../charts/staggered-mount.tsx';
import { ParamsPanel, type CampaignViewProps } from './params-panel.tsx';
import { DownloadCsv } from '../components/download-csv.tsx';

export function CompareView(props: CampaignViewProps) {
  const { details, url, setUrl, campaign } = props;
  const names = Object.keys(details.variants);
  const chosen = (url.variants ?? names).filter((n) => names.includes(n));
  const unknown = (url.variants ?? []).filter((n) => !names.includes(n));
  const { result, outputs: runs } = useViewResult(campaign.state, 'variants');
  return (
    <div className="view" data-testid="compare-view">
      <ParamsPanel
        {...props}
        title="Compare variants"
        runLabel={`Run ${chosen.length} variant${chosen.length === 1 ? '' : 's'} on seed ${url.seed ?? details.seed}`}
        blocked={names.length === 0 ? 'This scenario has no variants: section — pick one that has (e.g. sizing/msgin5g-bulk-vs-individual.yaml) or use Sweep.' : chosen.length === 0 ? 'Select at least one variant.' : undefined}
        command={() => ({ type: 'variants', variants: chosen })}
      >
        {names.length > 0 && (
          <CheckList
            legend="Variants (same seed, run in parallel)"
            listTestId="variant-list"
            items={names}
            chosen={chosen}
            onChange={(variants) => setUrl({ variants })}
            testId="variant-check"
            dataKey="variant"
            label={(n) => (
              <>
                <strong>{n}</strong> <code>{details.variants[n]!.join('  ')}</code>
              </>
            )}
          />
        )}
        {unknown.length > 0 && <p className="param-error">The link names variants this scenario does not have: {unknown.join(', ')} (it has {names.join(', ') || 'none'}).</p>}
      </ParamsPanel>
      {result && <CompareResults runs={runs} labels={result.jobs.map((j) => j.job.label).join('|')} csv={result.csv} />}
    </div>
  );
}

/** Redrawn only when a run finishes or the CSV arrives, never for progress (memo on stable props). */
const CompareResults = memo(function CompareResults({ runs, labels: labelKey, csv }: { runs: Run[]; labels: string; csv?: { name: string; text: string } }) {
  const labels = labelKey.split('|');
  const [metric, setMetric] = useState<LoadMetric>('msgs');
  const nodes = useMemo(() => nodesOf(runs), [runs]);
  const procs = useMemo(() => procedures(runs), [runs]);
  const colorOf = (label: string) => Math.max(0, labels.indexOf(label));
  const rows = useMemo(() => totals(runs), [runs]);
  if (runs.length === 0) return null;
  return (
    <>
      <Card title="Which ran" testId="compare-ran">
        <p>
          {runs.map((r) => `${r.label} (trace ${r.output.summary.traceHash}, ${(r.output.summary.wallMs / 1000).toFixed(1)} s)`).join(' · ')}
          {runs.length < labels.length && ` — ${labels.length - runs.length} still running or failed`}
        </p>
      </Card>
      <Card
        title="Load over time per node"
        aside={
          <div className="segmented" role="tablist">
            {(Object.keys(LOAD_METRICS) as LoadMetric[]).map((m) => (
              <button key={m} type="button" role="tab" aria-selected={metric === m} data-testid="load-metric" data-metric={m} className={metric === m ? 'is-active' : ''} onClick={() => setMetric(m)}>
                {LOAD_METRICS[m].label}
              </button>
            ))}
          </div>
        }
      >
        {nodes.map((node) => {
          const s = nodeLoad(runs, node, metric);
          return (
            <div key={node} className="chart-block">
              <h3 className="subhead">{node}</h3>
              <StaggeredMount height={260}>
              <TimeChart testId="load-chart" series={s.series} points={s.points} endS={s.endS} unit={LOAD_METRICS[metric].unit} yLabel={LOAD_METRICS[metric].label} colorOf={colorOf} />
              </StaggeredMount>
            </div>
          );
        })}
      </Card>
      {procs.length > 0 && (
        <Card title="Completion and latency">
          {procs.map((p) => {
            const c = completion(runs, p);
            const cdf = latencyCdf(runs, p);
            return (
              <div key={p} className="chart-pair">
                <div className="chart-block">
                  <h3 className="subhead">{p}: completed over time</h3>
                  <StaggeredMount height={260}>
                  <TimeChart
                    testId="completion-chart"
                    series={c.series}
                    points={c.points}
                    endS={c.endS}
                    unit="procedures"
                    yLabel="completed"
                    colorOf={colorOf}
                    markers={Object.entries(c.allDoneS).map(([label, x]) => ({ series: label, x, label: `${label}: all done ${tick(x)} s` }))}
                  />
                  </StaggeredMount>
                </div>
                <div className="chart-block">
                  <h3 className="subhead">{p}: latency CDF</h3>
                  <StaggeredMount height={260}>
                  <XyChart
                    testId="cdf-chart"
                    series={cdf.map((s) => ({ name: s.label, points: s.points.map((q) => ({ x: q.ms, y: q.fraction * 100 })) }))}
                    xKey="x"
                    xLabel="latency"
                    xUnit="ms"
                    yLabel="completed within"
                    yUnit="%"
                    yDomain={[0, 100]}
                    colorOf={colorOf}
                  />
                  </StaggeredMount>
                </div>
              </div>
            );
          })}
          <DataTable testId="latency-table" columns={['procedure', 'variant', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms']}>
              {procs.flatMap((p) =>
                runs.map((r) => {
                  const l = r.output.summary.procedures[p]?.latencyMs;
                  return (
                    <tr key={`${p}-${r.label}`}>
                      <td>{p}</td>
                      <td>{r.label}</td>
                      <td>{l ? tick(l.p50) : '—'}</td>
                      <td>{l ? tick(l.p90) : '—'}</td>
                      <td>{l ? tick(l.p99) : '—'}</td>
                      <td>{l ? tick(l.max) : '—'}</td>
                    </tr>
                  );
                }),
              )}
          </DataTable>
        </Card>
      )}
      <Card
        title="Totals"
        aside={<DownloadCsv csv={csv} />}
      >
        <DataTable className="data-table totals" testId="totals-table" columns={['metric', ...runs.map((r) => r.label), ...runs.slice(1).map((r) => `${r.label} / ${runs[0]!.label}`)]}>
            {rows.map((row) => (
              <tr key={row.column} data-testid="totals-row" data-column={row.column}>
                <td title={row.column}>{row.label}</td>
                {row.values.map((v, i) => (
                  <td key={i} className="num" data-testid="totals-cell" data-variant={runs[i]!.label} data-value={v ?? ''}>
                    {v === undefined ? '—' : tick(v)}
                  </td>
                ))}
                {row.ratios.slice(1).map((q, i) => (
                  <td key={`q${i}`} className="num ratio">
                    {q === undefined ? '—' : `${q.toFixed(q >= 100 ? 0 : 2)}×`}
                  </td>
                ))}
              </tr>
            ))}
        </DataTable>
      </Card>
    </>
  );
});
