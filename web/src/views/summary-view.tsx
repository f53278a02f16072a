/**
 * The finished run in numbers: procedures (outcomes and latency), nodes (traffic and load) and the
 * spec rules checked on the trace, failures first.
 */
import type { RuleResult, Summary } from '../../../sim/server/api-types.ts';
import { Card } from '../components/card.tsx';
import { DataTable, type Column } from '../components/data-table.tsx';
import { formatBytes, formatDuration, formatInt, formatLatencyMs, formatPercent } from '../format.ts';
import { focusMessage } from './ladder-focus.ts';

export function SummaryView({ summary, rules }: { summary: Summary; rules: RuleResult[] }) {
  const procedures = Object.entries(summary.procedures);
  const nodes = Object.entries(summary.nodes);
  return (
    <Card title="Summary" className="summary" testId="summary">
      <div className="stats">
        <Stat label="Simulated" value={formatDuration(summary.simulatedNs)} />
        <Stat label="Population" value={formatInt(summary.population)} sub={`${formatInt(summary.watched)} watched`} />
        <Stat label="Messages" value={formatInt(summary.messages.delivered)} sub={formatBytes(summary.messages.bytes)} />
        <Stat
          label="Dropped"
          value={formatInt(summary.messages.dropped)}
          sub={Object.entries(summary.messages.byReason)
            .map(([r, n]) => `${r} ${formatInt(n)}`)
            .join(' · ')}
          tone={summary.messages.dropped > 0 ? 'warn' : undefined}
        />
        <Stat
          label="Rules"
          value={`${summary.rules.passed} passed`}
          sub={`${summary.rules.failed} failed · ${summary.rules.notApplicable} n/a`}
          tone={summary.rules.failed > 0 ? 'bad' : 'good'}
        />
        <Stat label="Events" value={formatInt(summary.events)} sub={`${formatInt(summary.wallMs)} ms wall`} />
      </div>

      <h3 className="section-title">Procedures</h3>
      {procedures.length === 0 ? (
        <p className="muted">No procedure ran.</p>
      ) : (
        <div className="table-wrap">
          <DataTable className="table" testId="summary-procedures" columns={['Procedure', ...num('Started', 'Completed', 'Failed', 'Abandoned', 'p50', 'p99', 'max'), { label: 'All done at', num: true, title: 'Simulated time of the last completion: when every subscriber was done' }]}>
              {procedures.map(([name, p]) => (
                <tr key={name}>
                  <td>{name}</td>
                  <td className="num">{formatInt(p.started)}</td>
                  <td className="num">{formatInt(p.completed)}</td>
                  <td className={`num${p.failed > 0 ? ' is-bad' : ''}`}>{formatInt(p.failed)}</td>
                  <td className={`num${p.abandoned > 0 ? ' is-warn' : ''}`}>{formatInt(p.abandoned)}</td>
                  <td className="num">{p.latencyMs.count ? formatLatencyMs(p.latencyMs.p50) : '–'}</td>
                  <td className="num">{p.latencyMs.count ? formatLatencyMs(p.latencyMs.p99) : '–'}</td>
                  <td className="num">{p.latencyMs.count ? formatLatencyMs(p.latencyMs.max) : '–'}</td>
                  <td className="num">{p.completed > 0 && p.lastCompletedMs !== undefined ? formatDuration(p.lastCompletedMs * 1e6) : '–'}</td>
                </tr>
              ))}
          </DataTable>
        </div>
      )}

      <h3 className="section-title">Nodes</h3>
      <div className="table-wrap">
        <DataTable className="table" testId="summary-nodes" columns={['Node', 'Type', ...num('Msgs in', 'Msgs out', 'Bytes in', 'Bytes out', 'Busy', 'Peak queue', 'Dropped')]}>
            {nodes.map(([id, n]) => (
              <tr key={id}>
                <td>{id}</td>
                <td className="muted">{n.type}</td>
                <td className="num">{formatInt(n.msgsIn)}</td>
                <td className="num">{formatInt(n.msgsOut)}</td>
                <td className="num">{formatBytes(n.bytesIn)}</td>
                <td className="num">{formatBytes(n.bytesOut)}</td>
                <td className="num">
                  <BusyBar fraction={n.busy} />
                </td>
                <td className="num">{formatInt(n.peakQueue)}</td>
                <td className={`num${n.dropped > 0 ? ' is-warn' : ''}`}>{formatInt(n.dropped)}</td>
              </tr>
            ))}
        </DataTable>
      </div>

      <h3 className="section-title">Spec rules</h3>
      <RuleList rules={rules} />
      <p className="hash muted">
        Trace hash <code>{summary.traceHash}</code> · seed {summary.seed} · RegLab {summary.reglabVersion}
      </p>
    </Card>
  );
}

/** Right-aligned headings of numeric columns. */
const num = (...labels: string[]): Column[] => labels.map((label) => ({ label, num: true }));

function Stat({ label, value, sub, tone }: { label: string; value: string; sub?: string; tone?: 'good' | 'warn' | 'bad' }) {
  return (
    <div className={`stat${tone ? ` is-${tone}` : ''}`}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {sub && <div className="stat-sub">{sub}</div>}
    </div>
  );
}

function BusyBar({ fraction }: { fraction: number }) {
  const pct = Math.max(0, Math.min(1, fraction)) * 100;
  return (
    <span className="busy">
      <span className="busy-track">
        <span className="busy-fill" style={{ width: `${pct}%` }} />
      </span>
      {formatPercent(fraction)}
    </span>
  );
}

const STATUS_ORDER: Record<RuleResult['status'], number> = { failed: 0, passed: 1, 'not-applicable': 2 };
const STATUS_LABEL: Record<RuleResult['status'], string> = { failed: 'failed', passed: 'passed', 'not-applicable': 'n/a' };

function RuleList({ rules }: { rules: RuleResult[] }) {
  if (rules.length === 0) return <p className="muted">No rules were checked.</p>;
  const sorted = [...rules].sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || a.id.localeCompare(b.id));
  return (
    <ul className="rules" data-testid="summary-rules">
      {sorted.map((r) => (
        <li key={r.id} className={`rule is-${r.status}`}>
          <span className={`badge badge-${r.status}`}>{STATUS_LABEL[r.status]}</span>
          <code className="rule-id">{r.id}</code>
          <span className="rule-title">{r.title}</span>
          <span className="rule-detail">{r.detail}</span>
          {r.evidence.length > 0 && (
            <span className="rule-evidence">
              {' '}Proof:{' '}
              {r.evidence.slice(0, 12).map((seq) => (
                <button key={seq} type="button" className="btn btn-small btn-quiet" data-testid="rule-evidence" data-seq={seq} onClick={() => focusMessage(seq)} aria-label={`Show message #${seq} in the ladder`}>
                  #{seq}
                </button>
              ))}
              {r.evidence.length > 12 && <span className="muted"> +{r.evidence.length - 12} more</span>}
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}
