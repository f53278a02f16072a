/**
 * One /api/campaign WebSocket: takes CampaignCommands, plans them (everything validated before a
 * run starts), runs the jobs on the campaign pool (worker threads: the server's event loop stays
 * free) and streams CampaignEvents back. A new command replaces the campaign in progress; its late
 * events are never sent. Campaign ids count the well-formed commands of the socket, 1, 2, 3…
 */
import type { WebSocket } from 'ws';
import { CampaignError } from '../campaign/index.ts';
import { ScenarioError } from '../scenario/load.ts';
import { CampaignPool } from './campaign-pool.ts';
import { parseCampaignCommand } from './campaign-commands.ts';
import { ConfirmNeeded, csvText, planTable, type JobOutcome } from './campaign-plan.ts';
import { planInWorker } from './campaign-planner.ts';
import type { CampaignCommand, CampaignEvent } from './campaign-types.ts';
import { API_ERRORS, ApiError } from './errors.ts';
import { resolveScenarioPath } from './scenarios.ts';

/** What a campaign socket needs of its server. */
export interface CampaignContext {
  scenariosDir: string;
  log: (line: string) => void;
  /** Heap of one run's thread, MB: the server's per-run limit (run-workers.ts). */
  heapMb?: number;
  /** The folder files a scenario references must lie in (`reglab serve --data-dir`), as for single runs. */
  dataDir?: string;
}

/** Progress frames per job at most this often. */
const PROGRESS_MS = 250;

interface Active {
  id: number;
  pool?: CampaignPool;
  stopped: boolean;
}

export class CampaignSession {
  private nextId = 1;
  private active: Active | undefined;
  private closed = false;

  private readonly scenariosDir: string;
  private readonly log: (line: string) => void;

  constructor(
    private readonly ws: WebSocket,
    private readonly ctx: CampaignContext,
  ) {
    this.scenariosDir = ctx.scenariosDir;
    this.log = ctx.log;
  }

  handle(frame: string): void {
    let cmd: CampaignCommand;
    try {
      cmd = parseCampaignCommand(frame);
    } catch (e) {
      this.sendError(undefined, e);
      return;
    }
    if (cmd.type === 'cancel') {
      const a = this.active;
      if (a) {
        this.stop(a);
        this.send({ type: 'error', campaignId: a.id, code: API_ERRORS.E_CANCELLED, message: 'campaign cancelled; the runs already done stay' });
      }
      return;
    }
    void this.run(cmd);
  }

  close(): void {
    this.closed = true;
    if (this.active) this.stop(this.active);
  }

  private stop(a: Active): void {
    a.stopped = true;
    a.pool?.cancel();
    if (this.active === a) this.active = undefined;
  }

  private async run(cmd: Exclude<CampaignCommand, { type: 'cancel' }>): Promise<void> {
    if (this.active) this.stop(this.active);
    const a: Active = { id: this.nextId++, stopped: false };
    this.active = a;
    const current = () => this.active === a && !a.stopped && !this.closed;
    const t0 = performance.now();
    try {
      const file = await resolveScenarioPath(this.scenariosDir, cmd.scenario);
      if (!current()) return;
      // Validation loads the scenario once per variant / value: off the event loop.
      const plan = await planInWorker(cmd, file, this.ctx.dataDir);
      if (!current()) return;
      const outcomes: JobOutcome[] = new Array(plan.jobs.length);
      const lastProgress = new Array<number>(plan.jobs.length).fill(0);
      const pool = new CampaignPool(
        plan.jobs.map((j) => ({ file, seed: j.seed, sets: j.sets, series: plan.series, ...(this.ctx.dataDir ? { dataDir: this.ctx.dataDir } : {}) })),
        {
          onProgress: (index, fraction, simulatedNs) => {
            const now = performance.now();
            if (!current() || now - lastProgress[index]! < PROGRESS_MS) return;
            lastProgress[index] = now;
            this.send({ type: 'job-progress', campaignId: a.id, index, fraction, simulatedNs });
          },
          onDone: (index, reply) => {
            if (reply.type === 'done') {
              outcomes[index] = { ok: true, output: reply.output };
              if (current()) this.send({ type: 'job-done', campaignId: a.id, index, wallMs: reply.wallMs, output: reply.output });
            } else {
              outcomes[index] = { ok: false, code: reply.code, message: reply.message };
              if (current()) this.send({ type: 'job-failed', campaignId: a.id, index, code: reply.code, message: reply.message, ...(reply.problems ? { problems: reply.problems } : {}) });
            }
          },
        },
        { ...(this.ctx.heapMb ? { heapMb: this.ctx.heapMb } : {}) },
      );
      a.pool = pool;
      this.send({
        type: 'planned',
        campaignId: a.id,
        kind: plan.kind,
        scenario: plan.scenario,
        jobs: plan.jobs,
        workers: pool.workers,
        manifest: plan.manifest,
        ...(plan.policy ? { policy: plan.policy } : {}),
        durationNs: plan.durationNs,
        sampleIntervalNs: plan.sampleIntervalNs,
      });
      await pool.run();
      if (!current()) return;
      const table = planTable(plan, outcomes);
      const failed = outcomes.filter((o) => !o.ok).length;
      if (!table) {
        this.send({
          type: 'error',
          campaignId: a.id,
          code: API_ERRORS.E_RUN,
          message: `${failed} of ${outcomes.length} runs failed, so there is no ${plan.kind === 'variants' ? 'comparison.csv' : 'compare.csv'} (the CLI writes none either); the runs that finished stay on screen`,
        });
        return;
      }
      const wallMs = Math.round(performance.now() - t0);
      this.send({
        type: 'finished',
        campaignId: a.id,
        wallMs,
        csv: { name: table.name, text: table.text ?? csvText(table.rows), rows: table.rows },
        ...(table.missing?.length ? { missingMetrics: table.missing } : {}),
      });
      this.log(`campaign ${plan.kind} ${cmd.scenario}: ${plan.jobs.length} runs in ${wallMs} ms`);
    } catch (e) {
      if (current()) this.sendError(a.id, e, cmd.scenario);
    } finally {
      if (this.active === a) this.active = undefined;
    }
  }

  private sendError(campaignId: number | undefined, e: unknown, scenario?: string): void {
    const id = campaignId === undefined ? {} : { campaignId };
    if (e instanceof ApiError) {
      this.send({ type: 'error', ...id, code: e.code, message: e.message, ...(e.problems ? { problems: e.problems } : {}) });
    } else if (e instanceof CampaignError) {
      this.send({ type: 'error', ...id, code: e.code, message: e.message });
    } else if (e instanceof ConfirmNeeded) {
      this.send({ type: 'error', ...id, code: e.code, message: e.message });
    } else if (e instanceof ScenarioError) {
      const n = e.problems.length;
      this.send({ type: 'error', ...id, code: e.code, message: `${scenario ?? 'the scenario'}: ${n} problem${n === 1 ? '' : 's'}`, problems: e.problems });
    } else {
      const err = e instanceof Error ? e : new Error(String(e));
      this.log(`campaign failed: ${err.stack ?? err.message}`);
      this.send({ type: 'error', ...id, code: API_ERRORS.E_RUN, message: `the campaign failed: ${err.message}` });
    }
  }

  private send(ev: CampaignEvent): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify(ev));
  }
}
