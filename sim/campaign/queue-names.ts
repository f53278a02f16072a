import type { RunSpec, ScenarioBundle } from './types.ts';

/**
 * Names in Redis. One BullMQ queue per RegLab version: a worker of another version never takes a
 * campaign's runs (it would compute different results), and the coordinator names both versions
 * when it sees such a worker.
 */
export const PREFIX = 'reglab';
export const queueName = (version: string) => `runs-${version.replace(/[^0-9A-Za-z.+-]/g, '_')}`;
/** Hash: worker id → JSON WorkerBeat (heartbeats). */
export const WORKERS_KEY = `${PREFIX}:meta:workers`;
/** Hash: campaign id → JSON CampaignStatus (what the dashboard shows). */
export const CAMPAIGNS_KEY = `${PREFIX}:meta:campaigns`;

/** A job's data: the run and the scenario content it needs (no shared file system). */
export interface JobData {
  reglabVersion: string;
  campaign: string;
  bundle: ScenarioBundle;
  run: RunSpec;
}

export interface WorkerBeat {
  id: string;
  host: string;
  pid: number;
  reglabVersion: string;
  concurrency: number;
  busy: number;
  done: number;
  startedAt: number;
  lastSeen: number;
}

export interface CampaignStatus {
  id: string;
  kind: 'sweep' | 'compare';
  scenario: string;
  reglabVersion: string;
  state: 'running' | 'finished' | 'detached';
  total: number;
  done: number;
  running: number;
  failed: number;
  reused: number;
  startedAt: number;
  updatedAt: number;
}

/** What GET /api/queue answers when the server was started with --queue (queue-monitor.ts reads it). */
export interface QueueStatus {
  /** The queue URL without its password. */
  queue: string;
  reachable: boolean;
  /** Set when Redis did not answer this time (it may be restarting). */
  error?: string;
  reglabVersion: string;
  /** Jobs of this version's queue by state (all campaigns). */
  jobs: { waiting: number; active: number; completed: number; failed: number; delayed: number };
  /** Campaigns coordinators have published, newest first. */
  campaigns: CampaignStatus[];
  /** Workers heard from within the last WORKER_STALE_MS, any version. */
  workers: (WorkerBeat & { sameVersion: boolean })[];
}

/** A worker not heard from for this long is gone (it beats every 2 s). */
export const WORKER_STALE_MS = 10_000;
