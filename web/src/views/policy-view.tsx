/**
 * Policy comparison for ffs/ scenarios: the policies the scenario declares (or any policy field
 * and values picked here) × K seeds on the worker pool; per consequence metric the mean with the
 * spread over seeds; the consequence signals over time, mean per policy, overlaid; the numbers of
 * `reglab compare`'s compare.csv, downloadable.
 */
import { memo, useMemo, useState } from 'react';
import type { JobOutput } from '../../../sim/server/campaign-types.ts';
import { Card } from '../components/card.tsx';
import { meanSignal, policySpread, signalNames } from '../charts/campaign-series.ts';
import { tick } from '../charts/chart-format.ts';
import { SpreadChart } from '../charts/spread-chart.tsx';
import { TimeChart } from '../charts/time-chart.tsx';
import type { CampaignResult } from '../hooks/campaign-state.ts';
import { useViewResult, type LabelledOutput } from '../hooks/stable-outputs.ts';
import { StaggeredMount } from '../charts/staggered-mount.tsx';
import { ParamsPanel, type CampaignViewProps } from './params-panel.tsx';
import { DownloadCsv } from '../components/download-csv.tsx';
import { CheckList } from '../components/check-list.tsx';
import { Choice } from '../components/choice.tsx';
import { DataTable } from '../components/data-table.tsx';

export function PolicyView(props: CampaignViewProps) {
  const { details, url, setUrl, campaign } = props;
  const enums = details.params.filter((p) => p.type === 'enum' && /polic/i.test(p.path));
  const path = url.policy ?? details.compare?.policy ?? enums[0]?.path;
  const field = details.params.find((p) => p.path === path);
  const allowed = field?.allowed ?? (path === details.compare?.policy ? details.compare.values : []);
  const declared = path === details.compare?.policy ? details.compare?.values : undefined;
  const values = url.values ?? declared ?? allowed.slice(0, 2);
  const seeds = url.seeds ?? details.compare?.seeds ?? 5;
  const { result, outputs } = useViewResult(campaign.state, 'policies');
  return (
    <div className="view" data-testid="policy-view">
      <ParamsPanel
        {...props}
        title="Compare policies"
        runLabel={`Run ${values.length} policies × ${seeds} seeds = ${values.length * seeds} runs`}
        blocked={!path ? 'This scenario has no policy field to compare (no compare: section, no policy parameter).' : values.length < 2 ? 'Select at least two policies.' : undefined}
        exclude={path ? [path] : []}
        command={() => ({ type: 'policies', policy: path, values, seeds })}
      >
        <div className="policy-choices">
          <label>
            Policy field{' '}
            <Choice
              testId="policy-path"
              value={path ?? ''}
              options={[...new Set([...(details.compare ? [details.compare.policy] : []), ...enums.map((e) => e.path)])]}
              onChange={(policy) => setUrl({ policy, values: undefined })}
            />
          </label>
          <label>
            Seeds per policy{' '}
            <input data-testid="policy-seeds" type="number" min={1} max={1000} value={seeds} onChange={(e) => setUrl({ seeds: Math.max(1, Math.floor(Number(e.target.value) || 1)) })} />
          </label>
          <CheckList
            legend="Policies"
            items={allowed}
            chosen={values}
            onChange={(chosen) => setUrl({ values: chosen })}
            testId="policy-check"
            dataKey="policy"
            label={(v) => (
              <>
                {v}
                {field?.value === v && <span className="muted"> (the file's)</span>}
              </>
            )}
          />
        </div>
      </ParamsPanel>
      {result?.policy && <PolicyResults outputs={outputs} policy={result.policy} csv={result.csv} missingMetrics={result.missingMetrics} />}
    </div>
  );
}

/** Redrawn when a run finishes or the CSV arrives, never for progress (memo on stable props). */
const PolicyResults = memo(function PolicyResults({
  outputs,
  policy,
  csv,
  missingMetrics,
}: {
  outputs: LabelledOutput[];
  policy: NonNullable<CampaignResult['policy']>;
  csv: CampaignResult['csv'];
  missingMetrics?: string[];
}) {
  const values = policy.values;
  const colorOf = (p: string) => Math.max(0, values.indexOf(p));
  // Runs are labelled `policy#k` (the campaign layer's labels).
  const groups = useMemo(
    () => values.map((v) => ({ label: v, runs: outputs.filter((o) => o.label.slice(0, o.label.lastIndexOf('#')) === v).map((o): JobOutput => o.output) })),
    [outputs, values],
  );
  const signals = useMemo(() => signalNames(groups.flatMap((g) => g.runs.map((output) => ({ label: g.label, output })))), [groups]);
  const [signal, setSignal] = useState<string | undefined>(undefined);
  const shown = signal && signals.includes(signal) ? signal : (signals.find((s) => /stale/.test(s)) ?? signals[0]);
  const rows = csv?.rows ?? [];
  const metrics = [...new Set(rows.flatMap((r) => Object.keys(r).filter((k) => k.endsWith('.mean')).map((k) => k.slice(0, -'.mean'.length))))];
  const series = shown ? meanSignal(groups, shown) : undefined;
  return (
    <>
      {shown && series && (
        <Card
          title="Consequences over time (mean over seeds)"
          aside={
            <Choice testId="policy-signal" value={shown} options={signals} onChange={setSignal} />
          }
        >
          <TimeChart testId="policy-signal-chart" series={series.series} points={series.points} endS={series.endS} unit="" yLabel={shown} colorOf={colorOf} stepped />
        </Card>
      )}
      {rows.length > 0 && (
        <Card
          title={`Per metric: mean and spread over ${policy.seeds} seeds`}
          aside={<DownloadCsv csv={csv} />}
        >
          {missingMetrics?.length ? <p className="muted">No run reported {missingMetrics.join(', ')} (shown as —).</p> : null}
          <div className="spread-grid">
            {metrics.map((m) => {
              const pts = policySpread(rows, m);
              return (
                <div key={m} className="chart-block">
                  <h3 className="subhead">{m}</h3>
                  {pts.length ? (
                    <StaggeredMount height={220}>
                      <SpreadChart points={pts} metric={m} colorOf={colorOf} />
                    </StaggeredMount>
                  ) : (
                    <p className="muted">— no run reported it</p>
                  )}
                </div>
              );
            })}
          </div>
          <DataTable testId="policy-table" columns={['metric', ...rows.map((r) => String(r.policy))]}>
              {metrics.map((m) => (
                <tr key={m}>
                  <td>{m}</td>
                  {rows.map((r) => {
                    const mean = r[`${m}.mean`];
                    const sd = r[`${m}.sd`];
                    const ok = typeof mean === 'number' && Number.isFinite(mean);
                    return (
                      <td key={String(r.policy)} className="num" data-testid="policy-cell" data-policy={r.policy} data-metric={m} data-mean={ok ? mean : ''} data-sd={ok ? sd : ''}>
                        {ok ? `${tick(mean)}${sd ? ` ± ${tick(sd as number)}` : ''}` : '—'}
                      </td>
                    );
                  })}
                </tr>
              ))}
          </DataTable>
        </Card>
      )}
    </>
  );
});
