/**
 * `reglab serve --data-dir` holds for the dashboard's emulation lab (WS /api/emulate) as it does for
 * runs and campaigns (campaign-data-dir.test.ts): a wider folder lets an emulate/ scenario read a
 * CSV replay beside the scenarios folder, and without it the start is refused naming the field.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../reglab-process.ts';
import { dataDirLab } from './data-dir-lab.ts';
import { lab as emulateClient } from './emulate-client.ts';

const { lab, scenarios, data, serve } = dataDirLab('reglab-emulate-datadir-');
const SCENARIO = 'emulate/attach-replay.yaml';

before(() => {
  mkdirSync(join(scenarios, 'emulate'));
  // The subscriber attaches when the CSV replay says (t = 0), outside the scenarios folder.
  writeFileSync(join(data, 'attach.csv'), 'time,subscriber\n0,0\n');
  const text = readFileSync(join(ROOT, 'scenarios/emulate/ims-core-ics-detach.yaml'), 'utf8').replace(
    '{ target: msc, event: attach, pattern: { kind: all-at-once, at: 0s } }',
    '{ target: msc, event: attach, pattern: { kind: csv, file: ../../data/attach.csv, timeUnit: ms } }',
  );
  assert.match(text, /kind: csv/, 'the fixture replaced the attach pattern');
  writeFileSync(join(scenarios, SCENARIO), text);
});

test('--data-dir wider than the scenarios folder: the emulation reads the replay beside it, runs and writes its outputs', async () => {
  const server = await serve(lab);
  const c = await emulateClient(server.url);
  try {
    c.send({ type: 'start', scenario: SCENARIO, duration: '1s' });
    const started = await c.next('started');
    assert.equal(started.scenario, SCENARIO);
    const done = await c.next('done', () => true, 30_000);
    // The replayed attach really ran: the MSC registered its subscriber over the real sockets.
    assert.ok(done.summary.messages.delivered > 0, JSON.stringify(done.summary.messages));
    assert.ok(Object.values(done.summary.procedures).some((p) => p.started > 0), JSON.stringify(done.summary.procedures));
  } finally {
    c.ws.close();
  }
});

test('without --data-dir (the scenarios folder): the same start is refused naming the field, as a run is', async () => {
  const server = await serve();
  const c = await emulateClient(server.url);
  try {
    c.send({ type: 'start', scenario: SCENARIO, duration: '1s' });
    const e = await c.next('error');
    assert.equal(e.code, 'E_SCENARIO', e.message);
    assert.match(e.message, /workload\[0\]\.pattern\.file: .* is outside /);
    assert.ok(!c.events.some((x) => x.type === 'started'));
  } finally {
    c.ws.close();
  }
});
