/**
 * The Queue view's state: the answers of GET /api/queue folded by a pure reducer, and what the page
 * shows of them (queuePanel): one of six states — loading, the dashboard's server not answering,
 * no queue configured, Redis unreachable, an empty queue, campaigns in progress — with the
 * campaigns' counts, the workers seen and the warnings a user acts on.
 */
import type { CampaignStatus, QueueStatusReply, WorkerBeat } from '../../../sim/server/queue-types.ts';

/**
 * How often the view asks. The coordinators publish and the workers beat every 2 s, so a 1 s poll
 * shows a change within 3 s; the route is three Redis reads.
 */
export const POLL_MS = 1000;
/** A running campaign whose coordinator has not published for this long is said to be silent (it publishes every 2 s). */
export const SILENT_MS = 10_000;

type Enabled = Extract<QueueStatusReply, { enabled: true }>;

export interface QueueState {
  /** The last answer of the server; kept while later polls fail, so the page says what it last knew. */
  reply?: QueueStatusReply;
  /** Page time (ms) of that answer. */
  replyAt?: number;
  /** The last answer with Redis reachable, shown (dimmed) while Redis or the server is away. */
  lastGood?: Enabled;
  /** The polls since `since` failed: the server did not answer, or answered what the page cannot read. */
  failure?: { message: string; since: number };
}

export type QueueAction = { type: 'reply'; reply: QueueStatusReply; at: number } | { type: 'failed'; message: string; at: number };

export const INITIAL_QUEUE: QueueState = {};

export function queueReducer(state: QueueState, action: QueueAction): QueueState {
  if (action.type === 'reply') {
    const good = action.reply.enabled && action.reply.reachable ? action.reply : action.reply.enabled ? state.lastGood : undefined;
    return { reply: action.reply, replyAt: action.at, ...(good ? { lastGood: good } : {}) };
  }
  return { ...state, failure: { message: action.message, since: state.failure?.since ?? action.at } };
}

export interface CampaignRow extends CampaignStatus {
  /** Finished with a result (done − failed). */
  ok: number;
  /** Not started yet: total − done − running. */
  waiting: number;
  /** The coordinator's last report, seconds before the server's answer. */
  reportedS: number;
  startedS: number;
  /** Running, but its coordinator has not reported for SILENT_MS (killed? `--resume` re-attaches). */
  silent: boolean;
}

export interface WorkerRow extends WorkerBeat {
  sameVersion: boolean;
  /** Seconds since its last heartbeat, on the server's clock. */
  lastSeenS: number;
  upS: number;
}

export interface Totals {
  /** What the totals add up: the running campaigns, else the newest one. */
  scope: 'running' | 'latest';
  campaigns: number;
  ok: number;
  running: number;
  failed: number;
  waiting: number;
  reused: number;
  total: number;
}

export interface QueueOverview {
  queue: string;
  reglabVersion: string;
  jobs: Enabled['jobs'];
  staleAfterS: number;
  campaigns: CampaignRow[];
  workers: WorkerRow[];
  totals?: Totals;
  /** Things to act on, in words: no worker for waiting runs, workers of another version, a silent coordinator. */
  notes: string[];
}

export type QueuePanel =
  | { kind: 'loading' }
  /** The dashboard's own server did not answer (the last overview it gave, if any, is shown dimmed). */
  | { kind: 'server-down'; message: string; downS: number; last?: QueueOverview }
  | { kind: 'disabled'; hint: string }
  | { kind: 'unreachable'; queue: string; error: string; fix: string; last?: QueueOverview }
  | { kind: 'empty'; overview: QueueOverview }
  | { kind: 'active'; overview: QueueOverview };

/** What the page shows; `now` is page time (ms), for how long the server has been silent. */
export function queuePanel(state: QueueState, now: number): QueuePanel {
  const { reply, failure } = state;
  const last = state.lastGood && overview(state.lastGood);
  if (failure) {
    return { kind: 'server-down', message: failure.message, downS: Math.max(0, (now - failure.since) / 1000), ...(last ? { last } : {}) };
  }
  if (!reply) return { kind: 'loading' };
  if (!reply.enabled) return { kind: 'disabled', hint: reply.hint };
  if (!reply.reachable) {
    return {
      kind: 'unreachable',
      queue: reply.queue,
      error: reply.error ?? 'no answer',
      fix: `Is redis-server running at ${hostOf(reply.queue)}? Start it (or fix the network), or restart the dashboard with \`reglab serve --queue URL\` naming the Redis your workers use. This page keeps asking and recovers by itself once Redis answers; the workers and coordinators reconnect too.`,
      ...(last ? { last } : {}),
    };
  }
  const o = overview(reply);
  return o.campaigns.length === 0 ? { kind: 'empty', overview: o } : { kind: 'active', overview: o };
}

/** The host:port of a shown queue URL (password already replaced by the server). */
function hostOf(queue: string): string {
  try {
    const u = new URL(queue);
    return u.host || queue;
  } catch {
    return queue;
  }
}

export function overview(reply: Enabled): QueueOverview {
  const s = (ms: number) => Math.max(0, (reply.now - ms) / 1000);
  const campaigns: CampaignRow[] = reply.campaigns.map((c) => ({
    ...c,
    ok: c.done - c.failed,
    waiting: Math.max(0, c.total - c.done - c.running),
    reportedS: s(c.updatedAt),
    startedS: s(c.startedAt),
    silent: c.state === 'running' && reply.now - c.updatedAt > SILENT_MS,
  }));
  const workers: WorkerRow[] = reply.workers.map((w) => ({ ...w, lastSeenS: s(w.lastSeen), upS: s(w.startedAt) }));
  const running = campaigns.filter((c) => c.state === 'running');
  const scope = running.length ? running : campaigns.slice(0, 1);
  const totals: Totals | undefined = scope.length
    ? {
        scope: running.length ? 'running' : 'latest',
        campaigns: scope.length,
        ok: sum(scope, 'ok'),
        running: sum(scope, 'running'),
        failed: sum(scope, 'failed'),
        waiting: sum(scope, 'waiting'),
        reused: sum(scope, 'reused'),
        total: sum(scope, 'total'),
      }
    : undefined;
  const notes: string[] = [];
  const able = workers.filter((w) => w.sameVersion);
  const waiting = sum(running, 'waiting');
  if (waiting > 0 && able.length === 0) {
    notes.push(`No worker of RegLab ${reply.reglabVersion} is connected, so ${waiting} run${waiting === 1 ? '' : 's'} wait. Start one on any machine with this checkout: reglab worker --queue ${reply.queue}`);
  }
  for (const w of workers.filter((x) => !x.sameVersion)) {
    notes.push(`Worker ${w.id} runs RegLab ${w.reglabVersion}; these campaigns are RegLab ${reply.reglabVersion}, so it takes none of their runs.`);
  }
  for (const c of running.filter((x) => x.silent)) {
    notes.push(`Campaign ${c.id} (${c.scenario}): its coordinator has not reported for ${Math.round(c.reportedS)} s — if it was stopped, run the same command with --resume to re-attach; the workers go on meanwhile.`);
  }
  return { queue: reply.queue, reglabVersion: reply.reglabVersion, jobs: reply.jobs, staleAfterS: reply.staleAfterMs / 1000, campaigns, workers, ...(totals ? { totals } : {}), notes };
}

function sum<K extends 'ok' | 'running' | 'failed' | 'waiting' | 'reused' | 'total'>(rows: readonly CampaignRow[], key: K): number {
  return rows.reduce((n, r) => n + r[key], 0);
}

/** A duration in seconds as the tables show it: 0.4 s, 12 s, 3 min 20 s, 2 h 5 min. */
export function ago(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  const t = Math.round(seconds);
  if (t < 120) return `${t} s`;
  if (t < 7200) return `${Math.floor(t / 60)} min ${t % 60} s`;
  return `${Math.floor(t / 3600)} h ${Math.floor((t % 3600) / 60)} min`;
}
