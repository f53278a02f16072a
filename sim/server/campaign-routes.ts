/**
 * The campaign API's entry points (campaign-types.ts), kept out of server.ts: two GET routes and
 * the /api/campaign WebSocket. server.ts calls handleCampaignHttp before its 404 and hands
 * CAMPAIGN_STREAM_PATH upgrades to attachCampaignSocket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import { ScenarioError } from '../scenario/load.ts';
import { CampaignSession, type CampaignContext } from './campaign-session.ts';
import { API_ERRORS, ApiError } from './errors.ts';
import { readScenarioDetails } from './scenario-params.ts';
import { validateInWorker } from './campaign-planner.ts';
import { resolveScenarioPath } from './scenarios.ts';
import { MAX_SEED } from './commands.ts';

export const CAMPAIGN_STREAM_PATH = '/api/campaign';

/** More overrides than this in one validate request are refused (a form has a dozen). */
const MAX_SETS = 200;

export function attachCampaignSocket(ws: WebSocket, ctx: CampaignContext): void {
  const session = new CampaignSession(ws, ctx);
  ws.on('message', (data) => session.handle(data.toString()));
  ws.on('close', () => session.close());
  ws.on('error', (e) => ctx.log(`campaign websocket error: ${e.message}`));
}

/** Handles GET /api/scenario and /api/validate; false for any other path. */
export async function handleCampaignHttp(req: IncomingMessage, res: ServerResponse, ctx: Pick<CampaignContext, 'scenariosDir' | 'dataDir'>): Promise<boolean> {
  const { scenariosDir, dataDir } = ctx;
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname !== '/api/scenario' && url.pathname !== '/api/validate') return false;
  try {
    const path = url.searchParams.get('path');
    if (!path) throw new ApiError(API_ERRORS.E_API, "path: missing — give a scenario path from GET /api/scenarios, e.g. ?path=sizing/x.yaml");
    const file = await resolveScenarioPath(scenariosDir, path);
    if (url.pathname === '/api/scenario') {
      sendJson(res, 200, await readScenarioDetails(file, path));
      return true;
    }
    const sets = url.searchParams.getAll('set');
    if (sets.length > MAX_SETS) throw new ApiError(API_ERRORS.E_API, `set: ${sets.length} overrides; at most ${MAX_SETS} in one request`);
    const seedText = url.searchParams.get('seed');
    let seed: number | undefined;
    if (seedText !== null) {
      if (!/^[0-9]+$/.test(seedText) || Number(seedText) > MAX_SEED) throw new ApiError(API_ERRORS.E_API, `seed: ${JSON.stringify(seedText)} is not a whole number from 0 to ${MAX_SEED}`);
      seed = Number(seedText);
    }
    // The loader takes ~150 ms a load for a 1M population (and once more per variant): off the event loop.
    sendJson(res, 200, await validateInWorker({ file, path, sets, seed, ...(dataDir ? { dataDir } : {}) }));
  } catch (e) {
    if (e instanceof ApiError) sendJson(res, 400, { error: e.message, code: e.code });
    else if (e instanceof ScenarioError) sendJson(res, 422, { error: `${e.problems.length} problem(s)`, code: e.code, problems: e.problems });
    else throw e;
  }
  return true;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}
