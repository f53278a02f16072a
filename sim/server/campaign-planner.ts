/**
 * planCampaign on a worker thread (campaign-plan-worker.ts): one thread for the server, started on
 * the first campaign and kept (unref'd) for the next, requests answered by id. The thrown errors
 * come back as the same classes, so callers handle them as if planned here.
 */
import { Worker } from 'node:worker_threads';
import { CampaignError } from '../campaign/index.ts';
import { ScenarioError } from '../scenario/load.ts';
import { ConfirmNeeded, type CampaignPlan } from './campaign-plan.ts';
import type { PlanError, PlanReply, PlanRequest } from './campaign-plan-worker.ts';
import { ApiError } from './errors.ts';
import type { ValidateResult } from './campaign-types.ts';
import type { ValidateRequest } from './scenario-params.ts';

const ENTRY = new URL('./campaign-plan-worker.mjs', import.meta.url);

let worker: Worker | undefined;
let nextId = 1;
const waiting = new Map<number, { resolve(r: Extract<PlanReply, { ok: true }>): void; reject(e: Error): void }>();

function rebuild(e: PlanError): Error {
  switch (e.kind) {
    case 'api':
      return new ApiError(e.code, e.message, e.problems);
    case 'confirm':
      return new ConfirmNeeded(e.runs);
    case 'scenario':
      return new ScenarioError(e.file, e.problems);
    case 'campaign':
      return new CampaignError(e.code, e.message);
    case 'other':
      return new Error(e.message);
  }
}

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(ENTRY);
  w.unref();
  const failAll = (err: Error) => {
    if (worker === w) worker = undefined;
    for (const [, p] of waiting) p.reject(err);
    waiting.clear();
  };
  w.on('message', (r: PlanReply) => {
    const p = waiting.get(r.id);
    if (!p) return;
    waiting.delete(r.id);
    if (waiting.size === 0) w.unref();
    if (r.ok) p.resolve(r);
    else p.reject(rebuild(r.error));
  });
  w.on('error', (err) => failAll(new Error(`the campaign planner failed: ${err.message}`)));
  w.on('exit', (code) => failAll(new Error(`the campaign planner exited (code ${code})`)));
  worker = w;
  return w;
}

type Ask = PlanRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

function ask(req: Ask): Promise<Extract<PlanReply, { ok: true }>> {
  const w = thread();
  const id = nextId++;
  w.ref();
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    w.postMessage({ ...req, id });
  });
}

export async function planInWorker(cmd: Extract<PlanRequest, { cmd: unknown }>['cmd'], file: string, dataDir?: string): Promise<CampaignPlan> {
  return (await ask({ cmd, file, ...(dataDir ? { dataDir } : {}) })).plan!;
}

/** validateOverrides (scenario-params.ts) on the planner's thread. */
export async function validateInWorker(req: ValidateRequest): Promise<ValidateResult> {
  return (await ask({ validate: req })).validated!;
}
