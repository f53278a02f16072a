/**
 * GET /api/queue — a distributed campaign's progress (runs done / running / failed / total per
 * campaign, workers seen) when the server was started with `reglab serve --queue URL`; without it,
 * { enabled: false }. Read-only; the dashboard's Queue view polls it (web/src/hooks/use-queue.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QueueMonitor } from '../campaign/queue-monitor.ts';
import { WORKER_STALE_MS } from '../campaign/queue-names.ts';
import { QUEUE_STATUS_PATH, type QueueStatusReply } from './queue-types.ts';

export { QUEUE_STATUS_PATH, type QueueStatusReply };

/** Handles GET /api/queue; false for any other path. */
export async function handleQueueHttp(req: IncomingMessage, res: ServerResponse, monitor: QueueMonitor | undefined): Promise<boolean> {
  if ((req.url ?? '').split('?')[0] !== QUEUE_STATUS_PATH) return false;
  const status = monitor && (await monitor.status());
  const body: QueueStatusReply = status
    ? { enabled: true, now: Date.now(), staleAfterMs: WORKER_STALE_MS, ...status }
    : { enabled: false, hint: 'start the dashboard with `reglab serve --queue redis://HOST:PORT` to follow distributed campaigns' };
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
  return true;
}
