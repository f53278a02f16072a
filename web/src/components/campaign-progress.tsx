/** A campaign's progress: runs done / total, ETA, one bar per run, and Cancel while it runs. */
import { useEffect, useState } from 'react';
import { campaignProgress, type CampaignResult } from '../hooks/campaign-state.ts';
import { ProgressBar } from './progress-bar.tsx';

function eta(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s < 90 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function CampaignProgress({ result, running, onCancel }: { result: CampaignResult; running: boolean; onCancel(): void }) {
  const [now, setNow] = useState(() => performance.now());
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(performance.now()), 500);
    return () => clearInterval(t);
  }, [running]);
  const p = campaignProgress(result, now);
  return (
    <div className="campaign-progress" data-testid="campaign-progress" data-done={p.done} data-total={p.total}>
      <div className="campaign-progress-head">
        <strong data-testid="campaign-count">
          {p.done} / {p.total} runs
        </strong>
        <span className="muted">on {result.workers} worker{result.workers === 1 ? '' : 's'}</span>
        {running && p.etaMs !== undefined && <span data-testid="campaign-eta">about {eta(p.etaMs)} left</span>}
        {result.wallMs !== undefined && <span className="muted">done in {(result.wallMs / 1000).toFixed(1)} s</span>}
        {running && (
          <button type="button" className="btn btn-small" data-testid="campaign-cancel" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
      <ProgressBar fraction={p.fraction} label="campaign progress" />
      {result.jobs.length > 1 && (
        <ul className="campaign-jobs">
          {result.jobs.map((j) => (
            <li key={j.job.index} data-testid="campaign-job" data-status={j.status} title={j.error?.message}>
              <span className="campaign-job-label">{j.job.label}</span>
              <ProgressBar fraction={j.fraction} label={`run ${j.job.label}`} />
              <span className={`campaign-job-status is-${j.status}`}>{j.status === 'done' ? `${((j.wallMs ?? 0) / 1000).toFixed(1)} s` : j.status}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
