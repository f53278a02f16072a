/**
 * What every campaign view shares above its results: the parameters form, the view's own choices
 * (children), the Run button (disabled while the overrides are bad), progress with Cancel, the
 * error of the last attempt (results already on screen stay), and the manifest of what is shown.
 */
import type { ReactNode } from 'react';
import type { CampaignCommand, ScenarioDetails } from '../../../sim/server/campaign-types.ts';
import { Card } from '../components/card.tsx';
import { CampaignProgress } from '../components/campaign-progress.tsx';
import { ErrorPanel } from '../components/error-panel.tsx';
import type { UseCampaign } from '../hooks/use-campaign.ts';
import { useOverrideCheck } from '../hooks/use-scenario-details.ts';
import type { UrlState } from '../hooks/url-state.ts';
import { ParamsForm } from './params-form.tsx';
import { ParamsManifest } from './params-manifest.tsx';

/** What the page gives every campaign view: the scenario, the URL's question, the view's campaign. */
export interface CampaignViewProps {
  details: ScenarioDetails;
  url: UrlState;
  setUrl(patch: Partial<UrlState>): void;
  campaign: UseCampaign;
}

type Started = Exclude<CampaignCommand, { type: 'cancel' }>;
/** A view's own part of its command; the panel adds the scenario, seed, overrides and confirmation. */
export type ViewCommand = Started extends infer C ? (C extends Started ? Omit<C, 'scenario' | 'seed' | 'set' | 'confirm'> : never) : never;

export interface ParamsPanelProps extends CampaignViewProps {
  title: string;
  runLabel: string;
  /** Why the view cannot run yet (e.g. no variant selected); the button says it. */
  blocked?: string;
  exclude?: readonly string[];
  /** The campaign Run starts (not called while `blocked`). */
  command(): ViewCommand;
  children?: ReactNode;
}

export function ParamsPanel({ title, details, url, setUrl, campaign, runLabel, blocked, exclude, command, children }: ParamsPanelProps) {
  const onRun = (confirm: boolean) =>
    campaign.start({ ...command(), scenario: details.path, ...(url.seed !== undefined ? { seed: url.seed } : {}), set: url.set, ...(confirm ? { confirm } : {}) } as Started);
  const sets = Object.entries(url.set).map(([k, v]) => `${k}=${v}`);
  const check = useOverrideCheck(details.path, sets);
  const problems = check && !check.ok ? (check.problems.length ? check.problems : [check.message]) : [];
  const { state } = campaign;
  const running = state.phase === 'starting' || state.phase === 'running';
  const needsConfirm = state.phase === 'failed' && state.error?.code === 'E_CONFIRM';
  const disabled = running || !!blocked || problems.length > 0 || check === undefined;
  return (
    <>
      <Card title={title} aside={<span className="muted">{details.path}</span>} testId="campaign-controls">
        <p className="scenario-description">{details.description}</p>
        {children}
        <h3 className="subhead">Parameters</h3>
        <ParamsForm
          details={details}
          seed={url.seed}
          set={url.set}
          onSeed={(seed) => setUrl({ seed })}
          onSet={(set) => setUrl({ set })}
          problems={problems}
          checking={check === undefined}
          exclude={exclude}
        />
        <div className="campaign-actions">
          <button type="button" className="btn btn-primary" data-testid="campaign-run" disabled={disabled} onClick={() => onRun(false)}>
            {running ? 'Running…' : runLabel}
          </button>
          {blocked && <span className="muted">{blocked}</span>}
        </div>
      </Card>
      {state.error && (
        <ErrorPanel
          title={
            state.error.code === 'E_CANCELLED'
              ? 'Cancelled'
              : state.error.code === 'E_CONFIRM'
                ? 'A large campaign'
                : state.error.code === 'E_SCENARIO'
                  ? 'Refused: the parameters are not valid'
                  : 'The campaign failed'
          }
          code={state.error.code}
          message={state.error.message}
          problems={state.error.problems}
          action={
            needsConfirm ? (
              <button type="button" className="btn btn-primary" data-testid="campaign-confirm" onClick={() => onRun(true)}>
                Run it anyway
              </button>
            ) : undefined
          }
        />
      )}
      {state.result && (
        <Card title="Progress and manifest" testId="campaign-status">
          <CampaignProgress result={state.result} running={running && state.pendingId === state.result.campaignId} onCancel={campaign.cancel} />
          <ParamsManifest manifest={state.result.manifest} runs={state.result.jobs.length} />
        </Card>
      )}
    </>
  );
}
