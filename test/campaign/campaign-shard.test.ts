import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reglabInProcess } from '../cli/cli-in-process.ts';
import { parseShard, shardRuns } from '../../sim/campaign/shard.ts';
import { expandSweep } from '../../sim/campaign/index.ts';
import { ROOT } from '../reglab-process.ts';

/** Shards for schedulers without Redis: `--shard i/n --out DIR`, then `reglab merge DIR…`. */

const LEARN = join(ROOT, 'scenarios/learn/request-response.yaml');
const tmp = mkdtempSync(join(tmpdir(), 'reglab-shard-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const reglab = reglabInProcess();

const dropWall = (csv: string) => csv.trim().split('\n').map((l) => l.split(',')).map((r, _i, all) => r.filter((_c, k) => !/wall/.test(all[0][k])).join(','));

test('shards are disjoint slices covering every run, numbered from 0 as $JOB_COMPLETION_INDEX', () => {
  const c = expandSweep(LEARN, { vary: ['population.size=1,2,3,4,5,6,7'] });
  const slices = [0, 1, 2].map((i) => shardRuns(c.runs, parseShard(`${i}/3`)).map((r) => r.index));
  assert.deepEqual(slices.flat().sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(slices, [[0, 3, 6], [1, 4], [2, 5]]);
  assert.deepEqual(parseShard(' 2 / 5 '), { index: 2, count: 5 });
  for (const bad of ['3/2', '0/0', '1/1', '1', '/2', '1/-2', 'x']) assert.throws(() => parseShard(bad), /expected i\/n/, bad);
});

test('a sweep run as 3 shards and merged gives the local sweep.csv; a missing shard writes nothing', async () => {
  const args = ['sweep', LEARN, '--vary', 'population.size=10,20', '--vary', 'nodes.server.workers=1,2', '--seed', '5', '-q', '--workers', '1'];
  const local = await reglab(...args, '--out', join(tmp, 'local'));
  assert.equal(local.code, 0, local.err);
  for (const i of [0, 1, 2]) {
    const r = await reglab(...args, '--out', join(tmp, `s${i}`), '--shard', `${i}/3`);
    assert.equal(r.code, 0, r.err);
    assert.ok(!existsSync(join(tmp, `s${i}`, 'sweep.csv')), 'a shard writes no CSV that could look complete');
  }
  const partial = await reglab('merge', join(tmp, 's0'), join(tmp, 's2'), '--out', join(tmp, 'partial'));
  assert.equal(partial.code, 2);
  assert.match(partial.err, /1 of 4 runs .* have no result — shards not merged: 1\/3 .*nothing written \[E_CAMPAIGN\]/);
  assert.ok(!existsSync(join(tmp, 'partial', 'sweep.csv')));
  const merged = await reglab('merge', join(tmp, 's0'), join(tmp, 's1'), join(tmp, 's2'), '--out', join(tmp, 'merged'));
  assert.equal(merged.code, 0, merged.err);
  assert.deepEqual(dropWall(readFileSync(join(tmp, 'merged', 'sweep.csv'), 'utf8')), dropWall(readFileSync(join(tmp, 'local', 'sweep.csv'), 'utf8')));
});

test('a compare run as 2 shards and merged gives the local compare.csv byte for byte', async () => {
  const args = ['compare', LEARN, '--policy', 'nodes.server.workers=1,2', '--seeds', '2', '-q', '--workers', '1'];
  assert.equal((await reglab(...args, '--out', join(tmp, 'cl'))).code, 0);
  for (const i of [0, 1]) assert.equal((await reglab(...args, '--out', join(tmp, `c${i}`), '--shard', `${i}/2`)).code, 0);
  const m = await reglab('merge', join(tmp, 'c0'), join(tmp, 'c1'));
  assert.equal(m.code, 0, m.err);
  assert.equal(readFileSync(join(tmp, 'c0', 'compare.csv'), 'utf8'), readFileSync(join(tmp, 'cl', 'compare.csv'), 'utf8'));
});

test('merge refuses directories of different campaigns, and directories with no campaign', async () => {
  const other = await reglab('sweep', LEARN, '--vary', 'population.size=7,8', '-q', '--out', join(tmp, 'other'), '--shard', '0/1');
  assert.equal(other.code, 0, other.err);
  const mixed = await reglab('merge', join(tmp, 's0'), join(tmp, 'other'));
  assert.equal(mixed.code, 2);
  assert.match(mixed.err, /merge: .* holds campaign .* but .* holds campaign .*merge shards of one campaign \[E_CAMPAIGN\]/);
  const none = await reglab('merge', join(tmp, 'nothing-here'));
  assert.equal(none.code, 2);
  assert.match(none.err, /holds no campaign\.json/);
  const needsOut = await reglab('sweep', LEARN, '--vary', 'population.size=7,8', '--shard', '0/2');
  assert.equal(needsOut.code, 2);
});
