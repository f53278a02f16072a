import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { headline } from '../../sim/observe/headline.ts';

// The ICS ffs scenarios: each asks one question and declares the comparison that answers it; every
// policy compared keeps every spec rule (the watched subscribers' traces), scaled down to run fast.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const FILES = ['ics-restart-lost-200', 'ics-scscf-overload-mass-detach', 'ics-cancel-location-race'];

test('ics ffs scenarios: one question each, a compare: section, and every compared policy passes every rule', async () => {
  for (const f of FILES) {
    const file = join(ROOT, 'scenarios/ffs', `${f}.yaml`);
    const sc = loadScenarioFile(file);
    const questions = sc.description.split('?').length - 1;
    assert.ok(questions >= 1, `${f}: the description asks its question`);
    const cmp = sc.doc.compare!;
    assert.ok(cmp && cmp.values.length >= 2 && cmp.metrics && cmp.metrics.length >= 5, `${f}: compare section`);
    for (const value of cmp.values) {
      const scaled = loadScenarioFile(file, { set: [`${cmp.policy}=${value}`, 'population.size=300', 'observe.watch.first=60'] });
      const r = await runScenario(scaled);
      const failed = r.rules.filter((x) => x.status === 'failed');
      assert.deepEqual(failed, [], `${f} with ${value}`);
      assert.ok(r.summary.rules.passed >= 10, `${f} with ${value}: ${r.summary.rules.passed} rules passed`);
      // The consequence metrics the comparison reads are reported by every run, 0 included (an
      // empty consistent_since_s means 'never'; load-dependent counters may stay absent).
      const row = headline(r.summary);
      for (const m of cmp.metrics!) {
        if (/^metric\..*\.(last|max|seconds)$|binding\.stale|overhead\.|^messages$/.test(m)) assert.ok(m in row, `${f} with ${value}: ${m} reported`);
      }
    }
  }
});
