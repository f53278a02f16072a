/**
 * GET /api/queue's answer (queue-route.ts), shared by sim/server and web/: types only, so the
 * dashboard imports nothing of BullMQ or Redis.
 */
import type { QueueStatus } from '../campaign/queue-names.ts';

export type { CampaignStatus, QueueStatus, WorkerBeat } from '../campaign/queue-names.ts';

export const QUEUE_STATUS_PATH = '/api/queue';

export type QueueStatusReply =
  | ({
      enabled: true;
      /** The server's clock (ms since the epoch) when it read Redis: ages (a worker's last beat) are taken against it, not the browser's clock. */
      now: number;
      /** A worker not heard from for this long is no longer listed. */
      staleAfterMs: number;
    } & QueueStatus)
  | { enabled: false; hint: string };
