/**
 * The dashboard page: scenarios on the left; on the right one of four views, chosen by the tabs
 * and kept in the URL with the scenario, seed and overrides (hooks/url-state.ts), so a link
 * reopens the same question:
 *   Run (ladder)       one run: ladder, message-rate chart, summary (students)
 *   Compare variants   a scenario's variants side by side on one seed (architects)
 *   Sweep              one or two parameters varied, a metric charted against them
 *   Policies           an ffs/ question: policies × seeds, consequences with their spread
 *   Emulate            an emulate/ scenario on real sockets: endpoints, live ladder, lateness
 *   Queue              distributed campaigns (`reglab serve --queue URL`): runs and workers, live
 * Each campaign view keeps its results while another tab is shown, until replaced.
 */
import { useCallback, useEffect, useState } from 'react';
import './campaign.css';
import { EmptyState } from './components/empty-state.tsx';
import { ErrorPanel } from './components/error-panel.tsx';
import { useCampaign } from './hooks/use-campaign.ts';
import { useEmulation } from './hooks/use-emulation.ts';
import { useRun } from './hooks/use-run.ts';
import { useScenarioDetails } from './hooks/use-scenario-details.ts';
import { useScenarios } from './hooks/use-scenarios.ts';
import { parseUrlState, toSearch, type UrlState, type View } from './hooks/url-state.ts';
import { CompareView } from './views/compare-view.tsx';
import { EmulateView } from './views/emulate-view.tsx';
import { PolicyView } from './views/policy-view.tsx';
import { QueueView } from './views/queue-view.tsx';
import { SweepView } from './views/sweep-view.tsx';
import { LadderView } from './views/ladder-view.tsx';
import { RateView } from './views/rate-view.tsx';
import { RunBar } from './views/run-bar.tsx';
import { defaultScenario, ScenarioPicker } from './views/scenario-picker.tsx';
import { SummaryView } from './views/summary-view.tsx';

const TABS: { view: View; label: string; group: string }[] = [
  { view: 'run', label: 'Run (ladder)', group: 'learn' },
  { view: 'compare', label: 'Compare variants', group: 'sizing' },
  { view: 'sweep', label: 'Sweep', group: 'sizing' },
  { view: 'policies', label: 'Policies', group: 'ffs' },
  { view: 'emulate', label: 'Emulate', group: 'emulate' },
  { view: 'queue', label: 'Queue', group: 'queue' },
];

/** Where a view starts when the URL names no scenario: the question it was made for. */
const PREFERRED: Partial<Record<View, string>> = {
  compare: 'sizing/msgin5g-bulk-vs-individual.yaml',
  sweep: 'sizing/msgin5g-bulk-vs-individual.yaml',
  policies: 'ffs/ics-restart-lost-200.yaml',
  emulate: 'emulate/ims-core-ics-detach.yaml',
};

function useUrlState(): { url: UrlState; problems: string[]; setUrl(patch: Partial<UrlState>): void } {
  const [{ url, problems }, setState] = useState(() => {
    const { state, problems } = parseUrlState(location.search);
    return { url: state, problems };
  });
  const setUrl = useCallback((patch: Partial<UrlState>) => setState((s) => ({ url: { ...s.url, ...patch }, problems: s.problems })), []);
  useEffect(() => {
    const search = toSearch(url);
    if (search !== location.search) history.replaceState(null, '', search);
  }, [url]);
  return { url, problems, setUrl };
}

export function App() {
  const { state: scenarios, retry } = useScenarios();
  const { state: run, run: startRun, cancel } = useRun();
  const { url, problems: urlProblems, setUrl } = useUrlState();
  const selected = url.scenario;
  const setSelected = useCallback((scenario: string) => setUrl({ scenario }), [setUrl]);
  const campaigns = { compare: useCampaign(), sweep: useCampaign(), policies: useCampaign() };
  const emulation = useEmulation(url.view === 'emulate');
  const details = useScenarioDetails(url.view === 'run' || url.view === 'emulate' || url.view === 'queue' ? undefined : selected);

  // Preselect a scenario for the view, so a newcomer can press Run at once.
  useEffect(() => {
    if (scenarios.status !== 'ready' || selected !== undefined) return;
    const preferred = PREFERRED[url.view];
    setUrl({ scenario: preferred && scenarios.scenarios.some((s) => s.path === preferred) ? preferred : defaultScenario(scenarios.scenarios) });
  }, [scenarios, selected, url.view, setUrl]);

  const switchView = (view: View) => {
    const preferred = PREFERRED[view];
    const group = TABS.find((t) => t.view === view)!.group;
    // Keep the scenario if it suits the view; else open the view on its own question.
    const keep = selected !== undefined && (view === 'run' || selected.startsWith(`${group}/`) || (view !== 'policies' && view !== 'emulate' && selected.startsWith('sizing/')));
    const scenario = keep ? selected : preferred && scenarios.status === 'ready' && scenarios.scenarios.some((s) => s.path === preferred) ? preferred : selected;
    setUrl({ view, scenario, ...(scenario !== selected ? { set: {}, variants: undefined, vary: [], metric: undefined, policy: undefined, values: undefined } : {}) });
  };
  const pick = (scenario: string) => setUrl({ scenario, set: {}, variants: undefined, vary: [], metric: undefined, policy: undefined, values: undefined });

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
        <nav className="view-tabs" role="tablist" aria-label="Views">
          {TABS.map((t) => (
            <button
              key={t.view}
              type="button"
              role="tab"
              aria-selected={url.view === t.view}
              className={`view-tab${url.view === t.view ? ' is-active' : ''}`}
              data-testid="view-tab"
              data-view={t.view}
              onClick={() => switchView(t.view)}
            >
              {t.label}
            </button>
          ))}
        </nav>
        <div className="topbar-note">Registration on behalf of users · TS 24.292 §6.3.6.2 · TS 23.554 §8.2</div>
      </header>
      <div className="layout">
        <aside className="sidebar">
          <div className="sidebar-inner">
            <ScenarioPicker state={scenarios} selected={selected} onSelect={url.view === 'run' || url.view === 'emulate' ? setSelected : pick} onRetry={retry} />
          </div>
        </aside>
        <main className="main">
          {urlProblems.length > 0 && (
            <div className="url-problems">
              <ErrorPanel title="Parts of the link were not understood (ignored)" message="The rest of the link is open below." problems={urlProblems} />
            </div>
          )}
          {url.view === 'emulate' && <EmulateView scenario={scenario} emulation={emulation} />}
          {url.view !== 'run' && details.status === 'loading' && <p className="muted">Loading {selected}…</p>}
          {url.view !== 'run' && details.status === 'error' && <ErrorPanel title="Could not read the scenario" message={details.message} />}
          {url.view === 'compare' && details.status === 'ready' && <CompareView details={details.details} url={url} setUrl={setUrl} campaign={campaigns.compare} />}
          {url.view === 'sweep' && details.status === 'ready' && <SweepView key={details.details.path} details={details.details} url={url} setUrl={setUrl} campaign={campaigns.sweep} />}
          {url.view === 'policies' && details.status === 'ready' && <PolicyView details={details.details} url={url} setUrl={setUrl} campaign={campaigns.policies} />}
          {url.view === 'queue' && <QueueView />}
          {url.view === 'run' && (
            <>
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
            </>
          )}
        </main>
      </div>
    </div>
  );
}
