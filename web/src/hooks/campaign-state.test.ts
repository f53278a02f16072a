import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CampaignEvent, JobOutput } from '../../../sim/server/campaign-types.ts';
import { campaignProgress, campaignReducer, INITIAL_CAMPAIGN, type CampaignAction, type CampaignState } from './campaign-state.ts';

const planned = (campaignId: number): CampaignEvent => ({
  type: 'planned',
  campaignId,
  kind: 'variants',
  scenario: 'sizing/x.yaml',
  jobs: [
    { index: 0, label: 'bulk', seed: 1, sets: [], varied: {} },
    { index: 1, label: 'individual', seed: 1, sets: [], varied: {} },
  ],
  workers: 2,
  manifest: { reglabVersion: '0', kind: 'variants', scenario: 'sizing/x.yaml', seed: 1, sets: [], command: 'reglab run', createdAt: '' },
  durationNs: 1e9,
  sampleIntervalNs: 1e8,
});
const out = { headline: { messages: 1 } } as unknown as JobOutput;
const ev = (event: CampaignEvent, now = 0): CampaignAction => ({ type: 'event', event, now });
const fold = (actions: CampaignAction[], s: CampaignState = INITIAL_CAMPAIGN) => actions.reduce(campaignReducer, s);

test('a campaign from request to finished: plan, progress, results, csv', () => {
  const s = fold([
    { type: 'request' },
    { type: 'assigned', campaignId: 1 },
    ev(planned(1), 1000),
    ev({ type: 'job-progress', campaignId: 1, index: 0, fraction: 0.5, simulatedNs: 5 }),
    ev({ type: 'job-done', campaignId: 1, index: 1, wallMs: 10, output: out }),
  ]);
  assert.equal(s.phase, 'running');
  assert.deepEqual(s.result!.jobs.map((j) => [j.status, j.fraction]), [
    ['running', 0.5],
    ['done', 1],
  ]);
  const p = campaignProgress(s.result!, 3000);
  assert.deepEqual([p.done, p.total, p.fraction], [1, 2, 0.75]);
  // 2 s for 75 %: 2/3 s left.
  assert.ok(Math.abs(p.etaMs! - 2000 / 3) < 1e-6);
  const f = fold([ev({ type: 'finished', campaignId: 1, wallMs: 5, csv: { name: 'comparison.csv', text: 'x\n', rows: [] } })], s);
  assert.equal(f.phase, 'finished');
  assert.equal(f.result!.csv!.name, 'comparison.csv');
  assert.equal(campaignProgress(f.result!, 9999).etaMs, undefined);
});

test('results stay when the next command is refused, cancelled or the connection drops', () => {
  const done = fold([{ type: 'request' }, { type: 'assigned', campaignId: 1 }, ev(planned(1)), ev({ type: 'job-done', campaignId: 1, index: 0, wallMs: 1, output: out })]);
  const refused = fold([{ type: 'request' }, { type: 'assigned', campaignId: 2 }, ev({ type: 'error', campaignId: 2, code: 'E_SCENARIO', message: 'bad', problems: ['population.size: …'] })], done);
  assert.equal(refused.phase, 'failed');
  assert.deepEqual(refused.error, { code: 'E_SCENARIO', message: 'bad', problems: ['population.size: …'] });
  assert.equal(refused.result, done.result);
  const cancelled = fold([ev({ type: 'error', campaignId: 1, code: 'E_CANCELLED', message: 'cancelled' })], done);
  assert.equal(cancelled.phase, 'cancelled');
  assert.equal(cancelled.result!.jobs[0]!.status, 'done');
  const lost = fold([ev({ type: 'error', code: 'E_CONNECTION', message: 'lost' })], done);
  assert.equal(lost.phase, 'failed');
  assert.equal(lost.result!.jobs[0]!.output, out);
});

test('events of a replaced campaign are ignored', () => {
  const s = fold([{ type: 'request' }, { type: 'assigned', campaignId: 1 }, ev(planned(1)), { type: 'request' }, { type: 'assigned', campaignId: 2 }]);
  const after = fold([ev({ type: 'job-done', campaignId: 1, index: 0, wallMs: 1, output: out }), ev({ type: 'finished', campaignId: 1, wallMs: 1, csv: { name: 'a', text: '', rows: [] } })], s);
  assert.equal(after, s);
  assert.equal(after.phase, 'starting');
});

test('sameOutputs: progress alone keeps the finished runs’ list', async () => {
  const { sameOutputs } = await import('./stable-outputs.ts');
  const a = [{ label: 'bulk', output: out }];
  assert.equal(sameOutputs(a, [{ label: 'bulk', output: out }]), true);
  assert.equal(sameOutputs(a, [{ label: 'bulk', output: { ...out } }]), false);
  assert.equal(sameOutputs(a, []), false);
});
