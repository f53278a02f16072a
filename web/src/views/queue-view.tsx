/**
 * Queue: the distributed campaigns of `reglab serve --queue URL` — runs done / running / failed /
 * waiting of each campaign the coordinators publish, and the workers heard from, live (use-queue.ts
 * polls GET /api/queue every second). Without --queue, with Redis away, or with nothing queued yet,
 * it says so and what to type.
 */
import { Card } from '../components/card.tsx';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import { DataTable } from '../components/data-table.tsx';
import { ago, POLL_MS, type CampaignRow, type QueueOverview, type Totals } from '../hooks/queue-state.ts';
import { useQueue } from '../hooks/use-queue.ts';
import './queue.css';

export function QueueView() {
  const panel = useQueue();
  return (
    <div className="view" data-testid="queue-view" data-kind={panel.kind}>
      {panel.kind === 'loading' && <p className="muted">Asking the server for the queue…</p>}
      {panel.kind === 'disabled' && (
        <Card title="Distributed campaigns">
          <EmptyState title="No queue configured" testId="queue-disabled">
            <p>This dashboard was started without a queue, so it has no distributed campaign to show: {panel.hint}.</p>
            <pre className="queue-command">reglab serve --queue redis://127.0.0.1:6379</pre>
            <p className="muted">Sweeps and comparisons run with <code>--queue</code> on any machine then appear here, with their workers (docs/distributed.md).</p>
          </EmptyState>
        </Card>
      )}
      {panel.kind === 'server-down' && (
        <>
          <ErrorPanel title="The RegLab server does not answer" code="E_CONNECTION" message={`${panel.message} — for ${ago(panel.downS)}. This page keeps asking.`} />
          {panel.last && <Overview overview={panel.last} stale />}
        </>
      )}
      {panel.kind === 'unreachable' && (
        <>
          <div data-testid="queue-unreachable">
            <ErrorPanel title={`Redis unreachable: ${panel.queue}`} code="E_QUEUE" message={panel.error} action={<p className="queue-fix">{panel.fix}</p>} />
          </div>
          {panel.last && <Overview overview={panel.last} stale />}
        </>
      )}
      {(panel.kind === 'empty' || panel.kind === 'active') && <Overview overview={panel.overview} />}
    </div>
  );
}

function Overview({ overview: o, stale = false }: { overview: QueueOverview; stale?: boolean }) {
  return (
    <div className={`queue-overview${stale ? ' is-stale' : ''}`} data-testid="queue-overview" data-stale={stale}>
      <Card
        title="Distributed campaigns"
        aside={
          <span className="muted">
            <code>{o.queue}</code> · RegLab {o.reglabVersion} · {stale ? 'last known' : `live, every ${POLL_MS / 1000} s`}
          </span>
        }
      >
        {o.totals ? <TotalsStrip totals={o.totals} /> : <EmptyQueue queue={o.queue} />}
        {o.notes.length > 0 && (
          <ul className="queue-notes" data-testid="queue-notes">
            {o.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        )}
        <p className="muted queue-jobs" data-testid="queue-jobs">
          Jobs in the queue (all campaigns): {o.jobs.waiting} waiting · {o.jobs.active} active · {o.jobs.delayed} delayed · {o.jobs.completed} completed ·{' '}
          {o.jobs.failed} failed
        </p>
      </Card>
      {o.campaigns.length > 0 && <CampaignTable rows={o.campaigns} />}
      <Card title={`Workers seen (${o.workers.length})`} aside={<span className="muted">heard from in the last {o.staleAfterS} s</span>}>
        {o.workers.length === 0 ? (
          <p className="muted" data-testid="queue-no-workers">
            No worker has been heard from. Start one on each machine: <code>reglab worker --queue {o.queue}</code>
          </p>
        ) : (
          <DataTable testId="queue-workers" columns={['worker', 'RegLab', 'runs at once', 'busy', 'runs done', 'last seen', 'up for']}>
              {o.workers.map((w) => (
                <tr key={w.id} data-testid="queue-worker" data-id={w.id} data-pid={w.pid} data-done={w.done}>
                  <td>
                    <code>{w.id}</code>
                  </td>
                  <td className={w.sameVersion ? '' : 'queue-bad'}>{w.reglabVersion}</td>
                  <td className="num">{w.concurrency}</td>
                  <td className="num">{w.busy}</td>
                  <td className="num">{w.done}</td>
                  <td data-testid="queue-worker-seen">{ago(w.lastSeenS)} ago</td>
                  <td>{ago(w.upS)}</td>
                </tr>
              ))}
          </DataTable>
        )}
      </Card>
    </div>
  );
}

function EmptyQueue({ queue }: { queue: string }) {
  return (
    <EmptyState title="The queue is empty: no campaign has been sent to it yet" testId="queue-empty">
      <p>Start workers, then a sweep or comparison with the same queue; its runs, and the workers taking them, appear here.</p>
      <pre className="queue-command">{`reglab worker --queue ${queue} --concurrency 2
reglab sweep scenarios/sizing/msgin5g-bulk-vs-individual.yaml \\
  --vary msgin5g.bulking.maxSize=1,10,100 --queue ${queue} --out runs/bulk`}</pre>
    </EmptyState>
  );
}

/** The headline counts and one stacked bar: done, failed, running, waiting. */
function TotalsStrip({ totals: t }: { totals: Totals }) {
  const cells: [string, number, string][] = [
    ['done', t.ok, 'ok'],
    ['running', t.running, 'running'],
    ['failed', t.failed, 'failed'],
    ['waiting', t.waiting, 'waiting'],
    ['total', t.total, 'total'],
  ];
  return (
    <div className="queue-totals" data-testid="queue-totals" data-scope={t.scope} data-done={t.ok} data-running={t.running} data-failed={t.failed} data-waiting={t.waiting} data-total={t.total}>
      <p className="queue-scope">
        {t.scope === 'running' ? `${t.campaigns} campaign${t.campaigns === 1 ? '' : 's'} running` : 'The last campaign (none running)'}
        {t.reused > 0 && <span className="muted"> · {t.reused} runs reused from earlier results</span>}
      </p>
      <div className="queue-counts">
        {cells.map(([label, n, kind]) => (
          <div key={label} className={`queue-count is-${kind}`}>
            <span className="queue-count-n">{n}</span>
            <span className="queue-count-label">{label}</span>
          </div>
        ))}
      </div>
      <StackedBar done={t.ok} failed={t.failed} running={t.running} total={t.total} />
    </div>
  );
}

function StackedBar({ done, failed, running, total }: { done: number; failed: number; running: number; total: number }) {
  const pct = (n: number) => `${total > 0 ? (100 * n) / total : 0}%`;
  return (
    <div className="queue-bar" role="progressbar" aria-label="runs finished" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done + failed}>
      <span className="queue-bar-ok" style={{ width: pct(done) }} />
      <span className="queue-bar-failed" style={{ width: pct(failed) }} />
      <span className="queue-bar-running" style={{ width: pct(running) }} />
    </div>
  );
}

function CampaignTable({ rows }: { rows: CampaignRow[] }) {
  return (
    <Card title={`Campaigns (${rows.length})`} aside={<span className="muted">newest first</span>}>
      <DataTable testId="queue-campaigns" columns={['campaign', 'scenario', 'state', 'progress', 'done', 'running', 'failed', 'total', 'started', 'last report']}>
          {rows.map((c) => (
            <tr key={c.id} data-testid="queue-campaign" data-id={c.id} data-state={c.state} data-done={c.ok} data-running={c.running} data-failed={c.failed} data-total={c.total}>
              <td>
                <code>{c.id}</code> <span className="muted">{c.kind}</span>
              </td>
              <td>{c.scenario}</td>
              <td>
                <span className={`badge queue-state is-${c.silent ? 'silent' : c.state}`}>{c.silent ? 'silent' : c.state}</span>
              </td>
              <td className="queue-bar-cell">
                <StackedBar done={c.ok} failed={c.failed} running={c.running} total={c.total} />
              </td>
              <td className="num">{c.ok}</td>
              <td className="num">{c.running}</td>
              <td className={`num${c.failed ? ' queue-bad' : ''}`}>{c.failed}</td>
              <td className="num">{c.total}</td>
              <td>{ago(c.startedS)} ago</td>
              <td>{ago(c.reportedS)} ago</td>
            </tr>
          ))}
      </DataTable>
    </Card>
  );
}
