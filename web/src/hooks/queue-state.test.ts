import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CampaignStatus, QueueStatusReply, WorkerBeat } from '../../../sim/server/queue-types.ts';
import { parseQueueReply } from '../api/queue.ts';
import { ago, INITIAL_QUEUE, queuePanel, queueReducer, SILENT_MS, type QueueState } from './queue-state.ts';

const NOW = 1_700_000_000_000;
const QUEUE = 'redis://user:***@10.0.0.5:6379';

const campaign = (over: Partial<CampaignStatus> = {}): CampaignStatus => ({
  id: 'c1',
  kind: 'sweep',
  scenario: 'sizing/bulk',
  reglabVersion: '0.1.0',
  state: 'running',
  total: 10,
  done: 4,
  running: 2,
  failed: 1,
  reused: 0,
  startedAt: NOW - 60_000,
  updatedAt: NOW - 1_000,
  ...over,
});

const worker = (over: Partial<WorkerBeat & { sameVersion: boolean }> = {}): WorkerBeat & { sameVersion: boolean } => ({
  id: 'host/11',
  host: 'host',
  pid: 11,
  reglabVersion: '0.1.0',
  concurrency: 2,
  busy: 2,
  done: 3,
  startedAt: NOW - 120_000,
  lastSeen: NOW - 1_500,
  sameVersion: true,
  ...over,
});

const reply = (over: Partial<Extract<QueueStatusReply, { enabled: true }>> = {}): QueueStatusReply => ({
  enabled: true,
  now: NOW,
  staleAfterMs: 10_000,
  queue: QUEUE,
  reachable: true,
  reglabVersion: '0.1.0',
  jobs: { waiting: 3, active: 2, completed: 5, failed: 0, delayed: 0 },
  campaigns: [campaign()],
  workers: [worker()],
  ...over,
});

const fold = (...actions: Parameters<typeof queueReducer>[1][]): QueueState => actions.reduce(queueReducer, INITIAL_QUEUE);
const got = (r: QueueStatusReply, at = 0) => ({ type: 'reply' as const, reply: r, at });

test('before the first answer the view is loading; without --queue it says no queue is configured, with the hint', () => {
  assert.equal(queuePanel(INITIAL_QUEUE, 0).kind, 'loading');
  const p = queuePanel(fold(got({ enabled: false, hint: 'start it with --queue' })), 0);
  assert.deepEqual(p, { kind: 'disabled', hint: 'start it with --queue' });
});

test('a running campaign: done counts finished runs with a result, waiting the rest; workers aged on the server clock', () => {
  const p = queuePanel(fold(got(reply())), 0);
  assert.equal(p.kind, 'active');
  if (p.kind !== 'active') return;
  const c = p.overview.campaigns[0]!;
  assert.deepEqual([c.ok, c.running, c.failed, c.waiting, c.total], [3, 2, 1, 4, 10]);
  assert.equal(c.silent, false);
  assert.equal(c.reportedS, 1);
  assert.deepEqual(p.overview.totals, { scope: 'running', campaigns: 1, ok: 3, running: 2, failed: 1, waiting: 4, reused: 0, total: 10 });
  assert.equal(p.overview.workers[0]!.lastSeenS, 1.5);
  assert.equal(p.overview.workers[0]!.upS, 120);
  assert.deepEqual(p.overview.notes, []);
});

test('totals add up the running campaigns; with none running, the newest campaign alone', () => {
  const two = queuePanel(fold(got(reply({ campaigns: [campaign({ id: 'a' }), campaign({ id: 'b', total: 5, done: 5, running: 0, failed: 0, state: 'finished' }), campaign({ id: 'c', total: 4, done: 0, running: 1, failed: 0 })] }))), 0);
  assert.ok(two.kind === 'active');
  assert.deepEqual(two.overview.totals, { scope: 'running', campaigns: 2, ok: 3, running: 3, failed: 1, waiting: 7, reused: 0, total: 14 });
  const done = queuePanel(fold(got(reply({ campaigns: [campaign({ id: 'n', state: 'finished', total: 6, done: 6, running: 0, failed: 2, reused: 1 }), campaign({ id: 'o', state: 'finished' })] }))), 0);
  assert.ok(done.kind === 'active');
  assert.deepEqual(done.overview.totals, { scope: 'latest', campaigns: 1, ok: 4, running: 0, failed: 2, waiting: 0, reused: 1, total: 6 });
});

test('an empty queue is its own state, idle workers still listed', () => {
  const p = queuePanel(fold(got(reply({ campaigns: [] }))), 0);
  assert.equal(p.kind, 'empty');
  assert.ok(p.kind === 'empty' && p.overview.totals === undefined && p.overview.workers.length === 1 && p.overview.notes.length === 0);
});

test('notes: runs waiting with no worker of this version; a worker of another version; a silent coordinator', () => {
  const none = queuePanel(fold(got(reply({ workers: [worker({ id: 'old/7', reglabVersion: '0.0.9', sameVersion: false })] }))), 0);
  assert.ok(none.kind === 'active');
  assert.equal(none.overview.notes.length, 2);
  assert.match(none.overview.notes[0]!, /No worker of RegLab 0\.1\.0 is connected, so 4 runs wait\. .*reglab worker --queue redis:\/\/user:\*\*\*@10\.0\.0\.5:6379/);
  assert.match(none.overview.notes[1]!, /old\/7 runs RegLab 0\.0\.9; .* RegLab 0\.1\.0, so it takes none/);
  const silent = queuePanel(fold(got(reply({ campaigns: [campaign({ updatedAt: NOW - SILENT_MS - 5_000 })] }))), 0);
  assert.ok(silent.kind === 'active' && silent.overview.campaigns[0]!.silent);
  assert.ok(silent.kind === 'active' && /has not reported for 15 s .*--resume/.test(silent.overview.notes[0]!));
  // A finished campaign is never silent, however old its last report.
  const old = queuePanel(fold(got(reply({ campaigns: [campaign({ state: 'finished', updatedAt: NOW - 3_600_000 })] }))), 0);
  assert.ok(old.kind === 'active' && !old.overview.campaigns[0]!.silent && old.overview.notes.length === 0);
});

test('Redis unreachable: the URL, the error and the fix, with the last known counts; it recovers on the next good answer', () => {
  const down = reply({ reachable: false, error: 'Redis did not answer within 2000 ms', campaigns: [], workers: [] });
  const s = fold(got(reply()), got(down, 1000));
  const p = queuePanel(s, 1000);
  assert.equal(p.kind, 'unreachable');
  if (p.kind !== 'unreachable') return;
  assert.equal(p.queue, QUEUE);
  assert.equal(p.error, 'Redis did not answer within 2000 ms');
  assert.match(p.fix, /redis-server running at 10\.0\.0\.5:6379\? .*reglab serve --queue URL/);
  assert.equal(p.last?.campaigns[0]?.id, 'c1');
  assert.equal(queuePanel(fold(got(down)), 0).kind, 'unreachable');
  assert.equal(queuePanel(queueReducer(s, got(reply(), 2000)), 2000).kind, 'active');
});

test('the server not answering: how long, since the first failed poll, and the last overview; a reply clears it', () => {
  const s = fold(got(reply()), { type: 'failed', message: 'no answer', at: 1000 }, { type: 'failed', message: 'still none', at: 2000 });
  const p = queuePanel(s, 4500);
  assert.equal(p.kind, 'server-down');
  assert.ok(p.kind === 'server-down' && p.message === 'still none' && p.downS === 3.5 && p.last?.campaigns.length === 1);
  assert.equal(queuePanel(queueReducer(s, got(reply(), 5000)), 5000).kind, 'active');
  // Without --queue there is nothing to keep.
  const off = fold(got({ enabled: false, hint: 'h' }), got(down()), { type: 'failed', message: 'x', at: 1 });
  assert.ok(queuePanel(off, 1).kind === 'server-down' && (queuePanel(off, 1) as { last?: unknown }).last === undefined);
  function down(): QueueStatusReply {
    return { enabled: false, hint: 'h' };
  }
});

test('parseQueueReply names the first field it cannot read', () => {
  assert.deepEqual(parseQueueReply({ enabled: false, hint: 'x' }), { enabled: false, hint: 'x' });
  assert.equal(parseQueueReply(JSON.parse(JSON.stringify(reply()))).enabled, true);
  assert.throws(() => parseQueueReply([]), /expected an object with enabled/);
  assert.throws(() => parseQueueReply({ ...reply(), now: 'soon' }), /GET \/api\/queue\.now: expected a number/);
  assert.throws(() => parseQueueReply({ ...reply(), campaigns: [{ ...campaign(), done: null }] }), /campaigns\[0\]\.done: expected a number/);
  assert.throws(() => parseQueueReply({ ...reply(), workers: [{ id: 'w' }] }), /workers\[0\]: id, reglabVersion expected/);
});

test('ago: tenths under 10 s, whole seconds, then minutes and hours without a 60', () => {
  assert.deepEqual([ago(0.42), ago(12.4), ago(119.6), ago(179.7), ago(7199.9), ago(7260)], ['0.4 s', '12 s', '2 min 0 s', '3 min 0 s', '2 h 0 min', '2 h 1 min']);
});
