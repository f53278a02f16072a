/**
 * The dashboard page: scenarios on the left; on the right the run controls, then the ladder, the
 * message-rate chart and the summary of the run.
 */
import { useEffect, useState } from 'react';
import { EmptyState } from './components/empty-state.tsx';
import { ErrorPanel } from './components/error-panel.tsx';
import { useRun } from './hooks/use-run.ts';
import { useScenarios } from './hooks/use-scenarios.ts';
import { LadderView } from './views/ladder-view.tsx';
import { RateView } from './views/rate-view.tsx';
import { RunBar } from './views/run-bar.tsx';
import { defaultScenario, ScenarioPicker } from './views/scenario-picker.tsx';
import { SummaryView } from './views/summary-view.tsx';

export function App() {
  const { state: scenarios, retry } = useScenarios();
  const { state: run, run: startRun, cancel } = useRun();
  const [selected, setSelected] = useState<string | undefined>(undefined);

  // Preselect the first learn/ scenario, so a newcomer can press Run at once.
  useEffect(() => {
    if (scenarios.status === 'ready' && selected === undefined) setSelected(defaultScenario(scenarios.scenarios));
  }, [scenarios, selected]);

  const scenario = scenarios.status === 'ready' ? scenarios.scenarios.find((s) => s.path === selected) : undefined;
  const running = run.phase === 'connecting' || run.phase === 'running';
  const hasRun = run.phase !== 'idle' && (run.nodes.length > 0 || run.trace.length > 0);

  return (
    <div className="app">
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden />
          RegLab
        </div>
        <div className="topbar-note">Registration on behalf of users · TS 24.292 §6.3.6.2 · TS 23.554 §8.2</div>
      </header>
      <div className="layout">
        <aside className="sidebar">
          <div className="sidebar-inner">
            <ScenarioPicker state={scenarios} selected={selected} onSelect={setSelected} onRetry={retry} />
          </div>
        </aside>
        <main className="main">
          <RunBar scenario={scenario} run={run} onRun={(seed) => scenario && startRun(scenario.path, seed)} onCancel={cancel} />
          {run.phase === 'failed' && run.error && (
            <ErrorPanel
              title={run.error.code === 'E_SCENARIO' ? 'The scenario is not valid' : 'The run failed'}
              code={run.error.code}
              message={run.error.message}
              problems={run.error.problems}
            />
          )}
          {run.phase === 'idle' && (
            <div className="card">
              <EmptyState title="Pick a scenario and press Run" testId="empty-run">
                <ul className="intro">
                  <li>
                    <strong>Ladder</strong>: every message of the watched subscribers, in time order. Click one to read its wire text and the
                    spec steps behind it.
                  </li>
                  <li>
                    <strong>Chart</strong>: messages per second at each node over simulated time.
                  </li>
                  <li>
                    <strong>Summary</strong>: procedures, latency, load per node and the spec rules checked on the trace.
                  </li>
                </ul>
              </EmptyState>
            </div>
          )}
          {hasRun && (
            <>
              <LadderView nodes={run.nodes} trace={run.trace} running={running} files={run.files} scenario={run.scenario} />
              <RateView nodes={run.nodes} samples={run.samples} intervalNs={run.sampleIntervalNs} running={running} />
            </>
          )}
          {run.phase === 'finished' && run.summary && <SummaryView summary={run.summary} rules={run.rules ?? []} />}
        </main>
      </div>
    </div>
  );
}
