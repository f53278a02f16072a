/**
 * The campaign API end to end over a real server: variants, sweeps and policy comparisons run on
 * worker threads and give the CLI's numbers; bad input is refused naming the field, before any run.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '../../sim/server/server.ts';
import type { CampaignEvent, ScenarioDetails, ValidateResult } from '../../sim/server/campaign-types.ts';
import { CampaignClient, campaignEnd } from './campaign-client.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { headline } from '../../sim/observe/headline.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BVI = 'sizing/msgin5g-bulk-vs-individual.yaml';
const SMALL = { 'population.size': '2000' };
let server: RunningServer;

before(async () => {
  server = await startServer({ port: 0, scenariosDir: join(ROOT, 'scenarios') });
});
after(() => server.close());

const end = campaignEnd;

describe('campaign API', () => {
  test('GET /api/scenario describes variants, sweeps and the form fields from the schema', async () => {
    const d = (await (await fetch(new URL(`api/scenario?path=${BVI}`, server.url))).json()) as ScenarioDetails;
    assert.deepEqual(Object.keys(d.variants), ['bulk', 'individual']);
    assert.deepEqual(d.sweeps['msgin5g.bulking.maxSize'], ['1', '10', '50', '100', '500', '1000']);
    const size = d.params.find((p) => p.path === 'population.size');
    assert.deepEqual([size?.type, size?.value, size?.min], ['integer', '1000000', 0]);
    const window = d.params.find((p) => p.path === 'msgin5g.bulking.window');
    assert.equal(window?.type, 'unit');
    assert.match(window?.unit ?? '', /a duration/);
    const ffs = (await (await fetch(new URL('api/scenario?path=ffs/ics-restart-lost-200.yaml', server.url))).json()) as ScenarioDetails;
    const policy = ffs.params.find((p) => p.path === 'nodes.msc.params.policies.deregFailure');
    assert.equal(policy?.type, 'enum');
    assert.ok(policy?.allowed?.includes('retry-backoff'));
    assert.equal(policy?.value, 'clear-locally');
    assert.equal(ffs.compare?.values.length, 6);
  });

  test('GET /api/validate gives the loader’s field-level messages', async () => {
    const ok = (await (await fetch(new URL(`api/validate?path=${BVI}&set=population.size%3D10`, server.url))).json()) as ValidateResult;
    assert.deepEqual(ok, { ok: true });
    const bad = (await (await fetch(new URL(`api/validate?path=${BVI}&set=msgin5g.bulking.window%3Dsoon`, server.url))).json()) as ValidateResult;
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.problems.some((p) => p.startsWith('msgin5g.bulking.window')), JSON.stringify(bad));
    const missing = await fetch(new URL('api/validate?path=../etc/passwd.yaml', server.url));
    assert.equal(missing.status, 400);
  });

  test('variants run on workers and equal direct runs of the same seed', async () => {
    const c = await CampaignClient.open(server.url);
    try {
      c.send({ type: 'variants', scenario: BVI, seed: 7, set: SMALL });
      const fin = await c.until(end);
      assert.equal(fin.type, 'finished', JSON.stringify(fin));
      const planned = c.events.find((e) => e.type === 'planned');
      assert.ok(planned?.type === 'planned');
      assert.deepEqual(planned.jobs.map((j) => j.label), ['bulk', 'individual']);
      const done = c.events.filter((e): e is Extract<CampaignEvent, { type: 'job-done' }> => e.type === 'job-done');
      assert.equal(done.length, 2);
      for (const d of done) {
        const job = planned.jobs[d.index]!;
        const direct = await runScenario(loadScenarioFile(join(ROOT, 'scenarios', BVI), { seed: 7, set: job.sets, skipVariants: true }));
        assert.equal(d.output.summary.traceHash, direct.summary.traceHash);
        assert.ok(d.output.samples && d.output.samples.length > 0);
        assert.ok(d.output.curves?.procedures['msgin5g-registration']?.cdfMs.length);
        const { wall_ms: _a, ...mine } = d.output.headline;
        const { wall_ms: _b, ...theirs } = headline(direct.summary);
        assert.deepEqual(mine, theirs);
      }
      assert.ok(fin.type === 'finished' && fin.csv.name === 'comparison.csv' && fin.csv.rows.length === 2);
    } finally {
      c.close();
    }
  });

  test('bad commands are refused naming the field; a sweep value is checked before anything runs', async () => {
    const c = await CampaignClient.open(server.url);
    try {
      c.send('{"type":"sweep","scenario":"' + BVI + '","vary":[]}');
      let e = await c.until(end);
      assert.ok(e.type === 'error' && /^vary: /.test(e.message), JSON.stringify(e));
      c.send({ type: 'sweep', scenario: BVI, set: SMALL, vary: [{ path: 'msgin5g.bulking.maxSize', values: ['10', 'lots'] }] });
      e = await c.until((x) => end(x) && x !== e);
      assert.ok(e.type === 'error' && e.code === 'E_SCENARIO', JSON.stringify(e));
      assert.ok(e.type === 'error' && e.problems?.some((p) => p.startsWith('msgin5g.bulking.maxSize=lots: msgin5g.bulking.maxSize')), JSON.stringify(e));
      assert.equal(c.events.some((x) => x.type === 'planned'), false);
      const before = c.events.length;
      c.send({ type: 'sweep', scenario: BVI, set: SMALL, vary: [{ path: 'population.size', values: Array.from({ length: 60 }, (_, i) => String(i + 1)) }] });
      e = await c.until((x) => end(x) && c.events.indexOf(x) >= before);
      assert.ok(e.type === 'error' && e.code === 'E_CONFIRM' && /60 runs/.test(e.message), JSON.stringify(e));
    } finally {
      c.close();
    }
  });

  test('cancel stops a campaign and says so', async () => {
    const c = await CampaignClient.open(server.url);
    try {
      c.send({ type: 'sweep', scenario: BVI, set: { 'population.size': '300000' }, vary: [{ path: 'msgin5g.bulking.maxSize', values: ['1', '2', '3', '4'] }] });
      await c.until((e) => e.type === 'planned');
      c.send({ type: 'cancel' });
      const e = await c.until(end);
      assert.ok(e.type === 'error' && e.code === 'E_CANCELLED', JSON.stringify(e));
      // The server still answers at once.
      assert.equal((await fetch(new URL('api/health', server.url))).status, 200);
    } finally {
      c.close();
    }
  });
});
