/** The scenario list, grouped as the scenarios folder is (learn, sizing, ffs, emulate). */
import { InlineCode } from '../components/rich-text.tsx';
import type { ScenarioInfo } from '../../../sim/server/api-types.ts';
import { EmptyState } from '../components/empty-state.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import type { ScenariosState } from '../hooks/use-scenarios.ts';

const GROUPS: Record<string, { title: string; blurb: string }> = {
  learn: { title: 'Learn', blurb: 'Watch one procedure, message by message' },
  sizing: { title: 'Sizing', blurb: 'Bulk vs individual at scale' },
  ffs: { title: 'Failure handling', blurb: 'What the specs leave for further study' },
  emulate: { title: 'Emulate', blurb: 'The same nodes on real sockets' },
};

export interface ScenarioPickerProps {
  state: ScenariosState;
  selected?: string;
  onSelect(path: string): void;
  onRetry(): void;
  disabled?: boolean;
}

export function ScenarioPicker({ state, selected, onSelect, onRetry, disabled }: ScenarioPickerProps) {
  if (state.status === 'loading') return <p className="muted picker-loading">Loading scenarios…</p>;
  if (state.status === 'error') {
    return (
      <ErrorPanel
        title="Could not load the scenarios"
        message={state.message}
        action={
          <button type="button" className="btn btn-small" onClick={onRetry}>
            Try again
          </button>
        }
      />
    );
  }
  if (state.scenarios.length === 0) {
    return <EmptyState title="No scenarios found">Add .yaml files under scenarios/learn, sizing, ffs or emulate, then reload.</EmptyState>;
  }
  const groups = groupScenarios(state.scenarios);
  return (
    <nav className="picker" aria-label="Scenarios">
      {groups.map(([group, items]) => (
        <div key={group} className="picker-group">
          <div className="picker-group-head">
            <h3>{GROUPS[group]?.title ?? (group || 'Other')}</h3>
            {GROUPS[group] && <p>{GROUPS[group].blurb}</p>}
          </div>
          <ul>
            {items.map((s) => (
              <li key={s.path}>
                <button
                  type="button"
                  className={`picker-item${s.path === selected ? ' is-selected' : ''}`}
                  data-testid="scenario-item"
                  data-path={s.path}
                  aria-pressed={s.path === selected}
                  disabled={disabled}
                  onClick={() => onSelect(s.path)}
                  title={s.path}
                >
                  <span className="picker-name">{s.name}</span>
                  {s.description && <span className="picker-desc"><InlineCode text={s.description} /></span>}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </nav>
  );
}

/** Groups in the server's order (it sorts learn, sizing, ffs, emulate first). */
function groupScenarios(list: ScenarioInfo[]): [string, ScenarioInfo[]][] {
  const out = new Map<string, ScenarioInfo[]>();
  for (const s of list) {
    const g = out.get(s.group);
    if (g) g.push(s);
    else out.set(s.group, [s]);
  }
  return [...out];
}

/** The scenario a newcomer should press Run on: the first of learn/, else the first at all. */
/** The scenario that tells the whole §6.3.6.2 story (dialogs released, then the deregistration). */
export const FIRST_SCENARIO = 'learn/ics-detach-with-call.yaml';

export function defaultScenario(list: ScenarioInfo[]): string | undefined {
  return (list.find((s) => s.path === FIRST_SCENARIO) ?? list.find((s) => s.group === 'learn') ?? list[0])?.path;
}
