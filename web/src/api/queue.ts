/** GET /api/queue (sim/server/queue-route.ts): a distributed campaign's progress, shape-checked. */
import type { QueueStatusReply } from '../../../sim/server/queue-types.ts';
import { isObj, need, type Obj } from './validate.ts';

/** A poll that takes longer than this counts as the server not answering (the route itself gives Redis 2 s). */
const TIMEOUT_MS = 5000;

const nums = (o: Obj, where: string, fields: readonly string[]) => {
  for (const f of fields) need(typeof o[f] === 'number' && Number.isFinite(o[f]), `${where}.${f}: expected a number`);
};

/** The route's answer, or ApiShapeError naming the first field the view could not read. */
export function parseQueueReply(json: unknown): QueueStatusReply {
  need(isObj(json) && typeof json.enabled === 'boolean', 'GET /api/queue: expected an object with enabled: true | false');
  const o = json as Obj;
  if (o.enabled === false) {
    need(typeof o.hint === 'string', 'GET /api/queue: hint: expected a string');
    return o as unknown as QueueStatusReply;
  }
  need(typeof o.queue === 'string' && typeof o.reachable === 'boolean' && typeof o.reglabVersion === 'string', 'GET /api/queue: queue, reachable, reglabVersion expected');
  nums(o, 'GET /api/queue', ['now', 'staleAfterMs']);
  need(isObj(o.jobs), 'GET /api/queue: jobs: expected an object');
  nums(o.jobs as Obj, 'jobs', ['waiting', 'active', 'completed', 'failed', 'delayed']);
  need(Array.isArray(o.campaigns) && Array.isArray(o.workers), 'GET /api/queue: campaigns and workers: expected arrays');
  (o.campaigns as unknown[]).forEach((c, i) => {
    need(isObj(c) && typeof c.id === 'string' && typeof c.scenario === 'string' && typeof c.state === 'string', `campaigns[${i}]: id, scenario, state expected`);
    nums(c as Obj, `campaigns[${i}]`, ['total', 'done', 'running', 'failed', 'reused', 'startedAt', 'updatedAt']);
  });
  (o.workers as unknown[]).forEach((w, i) => {
    need(isObj(w) && typeof w.id === 'string' && typeof w.reglabVersion === 'string', `workers[${i}]: id, reglabVersion expected`);
    nums(w as Obj, `workers[${i}]`, ['concurrency', 'busy', 'done', 'startedAt', 'lastSeen']);
  });
  return o as unknown as QueueStatusReply;
}

export async function fetchQueueStatus(signal?: AbortSignal): Promise<QueueStatusReply> {
  const timeout = AbortSignal.timeout(TIMEOUT_MS);
  const res = await fetch('/api/queue', { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, headers: { Accept: 'application/json' } }).catch((e: unknown) => {
    if (signal?.aborted) throw e;
    throw new Error(timeout.aborted ? `the RegLab server did not answer GET /api/queue within ${TIMEOUT_MS / 1000} s` : 'the RegLab server does not answer (is `reglab serve` still running?)');
  });
  if (!res.ok) throw new Error(`GET /api/queue answered ${res.status} ${res.statusText} — a server older than the Queue view? Restart it with this checkout's \`reglab serve --queue URL\``);
  return parseQueueReply(await res.json());
}
