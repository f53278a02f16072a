/**
 * Plans campaigns off the server's event loop: validating a 1M-subscriber scenario and each of its
 * variants or sweep values takes the loader ~150 ms a load, which on the main thread would stall
 * /api/health and every other client. Errors travel as data and are rebuilt by campaign-planner.ts.
 */
import { parentPort } from 'node:worker_threads';
import { CampaignError } from '../campaign/index.ts';
import { ScenarioError } from '../scenario/load.ts';
import { ConfirmNeeded, planCampaign, type CampaignPlan } from './campaign-plan.ts';
import type { CampaignCommand, ValidateResult } from './campaign-types.ts';
import { validateOverrides, type ValidateRequest } from './scenario-params.ts';
import { ApiError } from './errors.ts';

export type PlanRequest =
  | { id: number; cmd: Exclude<CampaignCommand, { type: 'cancel' }>; file: string; dataDir?: string }
  /** GET /api/validate's check (scenario-params.ts validateOverrides), also off the event loop. */
  | { id: number; validate: ValidateRequest };

export type PlanError =
  | { kind: 'api'; code: ApiError['code']; message: string; problems?: string[] }
  | { kind: 'confirm'; runs: number }
  | { kind: 'scenario'; file: string; problems: string[] }
  | { kind: 'campaign'; code: CampaignError['code']; message: string }
  | { kind: 'other'; message: string };

export type PlanReply = { id: number; ok: true; plan?: CampaignPlan; validated?: ValidateResult } | { id: number; ok: false; error: PlanError };

function describe(e: unknown): PlanError {
  if (e instanceof ApiError) return { kind: 'api', code: e.code, message: e.message, ...(e.problems ? { problems: e.problems } : {}) };
  if (e instanceof ConfirmNeeded) return { kind: 'confirm', runs: e.runs };
  if (e instanceof ScenarioError) return { kind: 'scenario', file: e.file, problems: e.problems };
  if (e instanceof CampaignError) return { kind: 'campaign', code: e.code, message: e.message };
  return { kind: 'other', message: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}

parentPort!.on('message', async (req: PlanRequest) => {
  let reply: PlanReply;
  try {
    reply =
      'validate' in req
        ? { id: req.id, ok: true, validated: await validateOverrides(req.validate) }
        : { id: req.id, ok: true, plan: planCampaign(req.cmd, req.file, req.dataDir) };
  } catch (e) {
    reply = { id: req.id, ok: false, error: describe(e) };
  }
  parentPort!.postMessage(reply);
});
