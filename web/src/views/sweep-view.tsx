/**
 * Sweep: one or two parameters (a scenario's suggested sweeps, or any path=v1,v2,…), every
 * combination on the worker pool with a bar per run, then any summary metric charted against the
 * first parameter (one line per value of the second), log axes where values span decades. The
 * table is the CLI's sweep.csv, downloadable.
 */
import { useMemo, useState } from 'react';
import type { CsvRow } from '../../../sim/server/campaign-types.ts';
import { Card } from '../components/card.tsx';
import { numericColumns, sweepChart } from '../charts/campaign-series.ts';
import { tick } from '../charts/chart-format.ts';
import { XyChart } from '../charts/xy-chart.tsx';
import { resultOf, type CampaignResult } from '../hooks/campaign-state.ts';
import type { UrlState } from '../hooks/url-state.ts';
import { ParamsPanel, type CampaignViewProps } from './params-panel.tsx';
import { DownloadCsv } from '../components/download-csv.tsx';
import { Choice } from '../components/choice.tsx';
import { DataTable } from '../components/data-table.tsx';

/** 'path=v1,v2,…' → an axis, or the reason it is not one. */
export function parseAxis(text: string): { path: string; values: string[] } | string {
  const eq = text.indexOf('=');
  const values = eq > 0 ? text.slice(eq + 1).split(',').map((v) => v.trim()).filter(Boolean) : [];
  if (eq <= 0 || values.length === 0) return `'${text}' is not path=v1,v2,… (e.g. msgin5g.bulking.maxSize=1,10,100)`;
  return { path: text.slice(0, eq).trim(), values };
}

const PREFERRED_METRICS = [/^node\.server\.cpu_s$/, /cpu_s$/, /last_completed_ms$/, /^messages$/];

/** Rows so far: the CLI's sweep.csv once finished, else one row per finished run (same columns). */
export function sweepRows(result: CampaignResult): CsvRow[] {
  if (result.csv) return result.csv.rows;
  return result.jobs
    .filter((j) => j.status === 'done' || j.status === 'failed')
    .map((j) => ({ run: j.job.index + 1, ...j.job.varied, seed: j.job.seed, status: j.output ? 'ok' : `failed: ${j.error?.code ?? 'E_RUN'}`, ...(j.output?.headline ?? {}) }));
}

export function SweepView(props: CampaignViewProps) {
  const { details, url, setUrl, campaign } = props;
  const suggested = Object.entries(details.sweeps).map(([path, values]) => `${path}=${values.join(',')}`);
  const [texts, setTexts] = useState<string[]>(() => (url.vary.length ? url.vary.map((a) => `${a.path}=${a.values.join(',')}`) : suggested.slice(0, 1)));
  const parsed = texts.filter((t) => t.trim() !== '').map(parseAxis);
  const axisErrors = parsed.filter((p): p is string => typeof p === 'string');
  const axes = parsed.filter((p): p is { path: string; values: string[] } => typeof p !== 'string');
  const runs = axes.reduce((n, a) => n * a.values.length, 1);
  const setText = (i: number, t: string) => {
    const next = texts.slice();
    next[i] = t;
    setTexts(next);
    const ok = next.filter((x) => x.trim() !== '').map(parseAxis);
    if (ok.every((p) => typeof p !== 'string')) setUrl({ vary: ok as { path: string; values: string[] }[] });
  };
  const result = resultOf(campaign.state, 'sweep');
  return (
    <div className="view" data-testid="sweep-view">
      <ParamsPanel
        {...props}
        title="Sweep"
        runLabel={`Run ${runs} run${runs === 1 ? '' : 's'}`}
        blocked={axes.length === 0 ? 'Give a parameter to vary: path=v1,v2,…' : axisErrors.length ? axisErrors[0] : undefined}
        exclude={axes.map((a) => a.path)}
        command={() => ({ type: 'sweep', vary: axes })}
      >
        <div className="sweep-axes">
          {[0, 1].map((i) => (
            <label key={i} className="sweep-axis">
              <span>{i === 0 ? 'Vary (x axis)' : 'and (one line per value, optional)'}</span>
              <input
                data-testid="sweep-axis"
                list="suggested-sweeps"
                type="text"
                placeholder={i === 0 ? 'path=v1,v2,… e.g. msgin5g.bulking.maxSize=1,10,100' : 'path=v1,v2,…'}
                value={texts[i] ?? ''}
                onChange={(e) => setText(i, e.target.value)}
              />
            </label>
          ))}
          <datalist id="suggested-sweeps">
            {suggested.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          {suggested.length > 0 && (
            <div className="sweep-suggested">
              Suggested by the scenario:{' '}
              {suggested.map((s) => (
                <button key={s} type="button" className="btn btn-quiet btn-small" data-testid="sweep-suggestion" onClick={() => setText(0, s)}>
                  {s}
                </button>
              ))}
            </div>
          )}
          {axisErrors.map((e) => (
            <p key={e} className="param-error" data-testid="sweep-axis-error">
              {e}
            </p>
          ))}
        </div>
      </ParamsPanel>
      {result && <SweepResults result={result} url={url} setUrl={setUrl} />}
    </div>
  );
}

function SweepResults({ result, url, setUrl }: { result: CampaignResult; url: UrlState; setUrl(patch: Partial<UrlState>): void }) {
  const rows = useMemo(() => sweepRows(result), [result]);
  const axes = Object.keys(result.jobs[0]?.job.varied ?? {});
  const metrics = useMemo(() => numericColumns(rows, ['run', 'seed', ...axes]), [rows, axes.join('|')]);
  const fallback = PREFERRED_METRICS.map((re) => metrics.find((m) => re.test(m))).find(Boolean) ?? metrics[0];
  const metric = url.metric && metrics.includes(url.metric) ? url.metric : fallback;
  const badMetric = url.metric && metrics.length > 0 && !metrics.includes(url.metric) ? url.metric : undefined;
  if (rows.length === 0 || !metric || axes.length === 0) return null;
  const chart = sweepChart(rows, axes[0]!, metric, axes[1]);
  return (
    <>
      <Card
        title={`${metric} vs ${axes[0]}`}
        aside={
          <Choice testId="sweep-metric" value={metric} options={metrics} onChange={(m) => setUrl({ metric: m })} />
        }
      >
        {badMetric && (
          <p className="param-error" data-testid="sweep-metric-error">
            No metric '{badMetric}' in this sweep's table; showing {metric}. Pick one of the {metrics.length} columns in the list.
          </p>
        )}
        <XyChart
          testId="sweep-chart"
          series={chart.series.map((name) => ({ name }))}
          shared={chart.points as unknown as Record<string, number | string>[]}
          xKey="t"
          xLabel={axes[0]!}
          xUnit=""
          yLabel={metric}
          yUnit=""
          logX={chart.logX}
          logY={chart.logY}
          categoryTicks={chart.numericX ? undefined : chart.xs}
          height={320}
        />
      </Card>
      <Card
        title="Runs"
        aside={<DownloadCsv csv={result.csv} />}
      >
        <DataTable testId="sweep-table" columns={['run', ...axes, 'status', metric]}>
            {rows.map((r) => (
              <tr key={String(r.run)} data-testid="sweep-row">
                <td>{r.run}</td>
                {axes.map((a) => (
                  <td key={a}>{r[a]}</td>
                ))}
                <td>{r.status}</td>
                <td className="num" data-value={r[metric] ?? ''}>
                  {typeof r[metric] === 'number' ? tick(r[metric] as number) : '—'}
                </td>
              </tr>
            ))}
        </DataTable>
      </Card>
    </>
  );
}
