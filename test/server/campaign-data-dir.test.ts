/**
 * `reglab serve --data-dir`: the folder files a scenario references (CSV replays) must lie in holds
 * for the dashboard's campaigns (plan, validate, every run's worker) as it does for single runs —
 * a wider folder lets a campaign read a replay beside the scenarios, a narrower one refuses it.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '../../sim/server/server.ts';
import type { CampaignCommand, ValidateResult } from '../../sim/server/campaign-types.ts';
import { CampaignClient, campaignEnd } from './campaign-client.ts';
import { ROOT } from '../reglab-process.ts';
import { dataDirLab } from './data-dir-lab.ts';

const { lab, scenarios, data, serve } = dataDirLab('reglab-datadir-');

before(() => {
  copyFileSync(join(ROOT, 'test/fixtures/replay.csv'), join(data, 'replay.csv'));
  const text = readFileSync(join(ROOT, 'test/fixtures/generic-replay.yaml'), 'utf8')
    .replace('file: replay.csv', 'file: ../data/replay.csv')
    .concat('\nvariants:\n  small: ["population.size=10"]\n  large: ["population.size=12"]\n');
  writeFileSync(join(scenarios, 'replay.yaml'), text);
});

async function campaign(server: RunningServer, cmd: CampaignCommand) {
  const c = await CampaignClient.open(server.url);
  try {
    c.send(cmd);
    return await c.until(campaignEnd);
  } finally {
    c.close();
  }
}

const SWEEP: CampaignCommand = { type: 'sweep', scenario: 'replay.yaml', vary: [{ path: 'population.size', values: ['10', '11'] }] };
const VARIANTS: CampaignCommand = { type: 'variants', scenario: 'replay.yaml' };
const validate = async (server: RunningServer) => (await (await fetch(new URL('api/validate?path=replay.yaml&set=population.size%3D10', server.url))).json()) as ValidateResult;

test('--data-dir wider than the scenarios folder: sweeps, variants and validation read the replay beside it', async () => {
  const server = await serve(lab);
  assert.deepEqual(await validate(server), { ok: true });
  for (const cmd of [SWEEP, VARIANTS]) {
    const e = await campaign(server, cmd);
    assert.equal(e.type, 'finished', `${cmd.type}: ${JSON.stringify(e)}`);
    assert.ok(e.type === 'finished' && e.csv.rows.length === 2 && e.csv.rows.every((r) => r.status === undefined || r.status === 'ok'), JSON.stringify(e));
  }
});

test('without --data-dir (the scenarios folder): the same campaigns are refused naming the field, as a single run is', async () => {
  const server = await serve();
  const v = await validate(server);
  assert.ok(!v.ok && v.problems.some((p) => /^workload\[0\]\.pattern\.file: .* is outside /.test(p)), JSON.stringify(v));
  for (const cmd of [SWEEP, VARIANTS]) {
    const e = await campaign(server, cmd);
    assert.ok(e.type === 'error' && e.code === 'E_SCENARIO', `${cmd.type}: ${JSON.stringify(e)}`);
    assert.ok(e.type === 'error' && e.problems?.some((p) => /workload\[0\]\.pattern\.file: .* is outside .*, the folder referenced files must lie in/.test(p)), JSON.stringify(e));
  }
});
