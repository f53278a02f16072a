import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, loadScenarioText, ScenarioError } from '../../sim/scenario/load.ts';
import { applyOverrides } from '../../sim/scenario/overrides.ts';
import { ScenarioSchema } from '../../sim/scenario/schema.ts';
import { MINIMAL as INLINE_MINIMAL, scenarioProblems } from './inline-scenario.ts';

/** CPU milliseconds (user + system) this process spent since `t0` (process.cpuUsage()). */
function cpuMsSince(t0: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(t0);
  return (u.user + u.system) / 1000;
}

/** Issue 11: bad scenario input found by probing the loader (items 1, 2, 3, 8, 10, 13). */

const tmp = mkdtempSync(join(tmpdir(), 'reglab-hardening-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const MINIMAL = `${INLINE_MINIMAL}workload:
  - { target: client, event: request, pattern: { kind: all-at-once } }
`;

const problems = (text: string, opts: Parameters<typeof loadScenarioText>[2] = {}, path = join(tmp, 'scenarios/inline.yaml')): string[] => scenarioProblems(text, path, opts);

// ---- item 1: prototype pollution -----------------------------------------------------------------

test('item 1: overrides through __proto__, constructor or prototype are refused and Object.prototype stays clean', () => {
  for (const path of ['__proto__.polluted', 'constructor.prototype.polluted', 'nodes[0].__proto__.polluted', 'observe.constructor.prototype.polluted', 'variants.prototype']) {
    const p = problems(MINIMAL, { set: [`${path}=1`] });
    assert.equal(p.length, 1, `${path}: ${p.join('\n')}`);
    assert.match(p[0], /^--set .*: '(__proto__|constructor|prototype)' is not a scenario field — overrides address the scenario's own fields only$/, path);
    assert.equal(({} as Record<string, unknown>).polluted, undefined, `${path} polluted Object.prototype`);
  }
  // Without a schema too (the unit's own guard), and a later good override still applies.
  const d: Record<string, unknown> = {};
  const p = applyOverrides(d, ['__proto__.polluted=1', 'a=2']);
  assert.equal(p.length, 1);
  assert.equal(d.a, 2);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('item 1: an override path must name a field of the schema, checked before anything is touched', () => {
  const d = { description: 'x', observe: { watch: { first: 1 } } } as Record<string, unknown>;
  const before = JSON.stringify(d);
  const p = applyOverrides(d, ['observe.wach.first=2', 'nodes[0].params.nope.deeper=1'], ScenarioSchema);
  assert.equal(p[0], "--set observe.wach.first: no field 'wach' at observe — allowed there: watch, interval, traceLimit");
  assert.equal(JSON.stringify(d), before, 'nothing created for a refused path');
});

// ---- item 2: files a scenario references ---------------------------------------------------------

test('item 2: a CSV replay outside the scenarios folder, a directory, a device or an oversized file is refused without reading it', () => {
  const sc = join(tmp, 'scenarios');
  mkdirSync(join(sc, 'data'), { recursive: true });
  writeFileSync(join(tmp, 'secret.csv'), '0,1\nTOP-SECRET,2\n');
  symlinkSync('/dev/zero', join(sc, 'data/zero.csv'));
  symlinkSync(join(tmp, 'secret.csv'), join(sc, 'data/link.csv'));
  writeFileSync(join(sc, 'data/ok.csv'), '0,1\n1ms,2\n');
  const csv = (file: string) => MINIMAL.replace('{ kind: all-at-once }', `{ kind: csv, file: ${JSON.stringify(file)} }`);
  const cases: [string, RegExp][] = [
    ['/etc/passwd', /is outside .*scenarios, the folder referenced files must lie in — move it there/],
    ['../secret.csv', /is outside/],
    ['data/link.csv', /is outside/],
    ['/dev/zero', /is outside/],
    ['data', /is not a regular file \(a directory\)/],
  ];
  for (const [file, why] of cases) {
    // Bounded: CPU time (a read of /dev/zero without end would spend it), not wall time, which a loaded machine stretches.
    const t0 = process.cpuUsage();
    const p = problems(csv(file));
    const cpuMs = cpuMsSince(t0);
    assert.ok(cpuMs < 2000, `${file}: took ${cpuMs.toFixed(0)} ms of CPU`);
    assert.equal(p.length, 1, p.join('\n'));
    assert.match(p[0], /^workload\[0\]\.pattern\.file: /);
    assert.match(p[0], why, file);
    assert.doesNotMatch(p[0], /TOP-SECRET|root:/, 'no file content in the error');
  }
  // A device inside the folder is not a regular file either (the data folder is where the symlink resolves).
  assert.match(problems(csv('data/zero.csv'), { dataDir: '/dev' })[0], /not a regular file \(a device/);
  assert.equal(loadScenarioText(csv('data/ok.csv'), join(sc, 'inline.yaml')).replays.get(0)?.times.length, 2);
});

test('item 2: the scenario file itself must be a regular file of bounded size', () => {
  const dir = (() => {
    try {
      loadScenarioFile(tmp);
    } catch (e) {
      return (e as ScenarioError).problems;
    }
  })();
  assert.deepEqual(dir, ['the file is not a regular file (a directory) — name a file']);
  const t0 = process.cpuUsage();
  assert.throws(() => loadScenarioFile('/dev/zero'), (e: unknown) => e instanceof ScenarioError && /not a regular file \(a device/.test(e.problems[0]));
  assert.ok(cpuMsSince(t0) < 1000, `/dev/zero refused in ${cpuMsSince(t0).toFixed(0)} ms of CPU`);
  const big = join(tmp, 'big.yaml');
  writeFileSync(big, `description: x\n#${'x'.repeat(5 * 2 ** 20)}\n`);
  assert.throws(() => loadScenarioFile(big), (e: unknown) => e instanceof ScenarioError && /more than the 4194304 allowed/.test(e.problems[0]));
});

// ---- item 3: counts, intervals and memory before a run ------------------------------------------

test('item 3: every count and interval has a range in the schema', () => {
  const cases: [string, RegExp][] = [
    ['observe.interval=0', /^observe\.interval: must be at least 1us/],
    ['observe.interval=1ns', /^observe\.interval: must be at least 1us/],
    ['nodes.server.workers=1000000000', /^nodes\[1\]\.workers: 1000000000 is too large — must be ≤ 100000$/],
    ['observe.traceLimit=1e12', /^observe\.traceLimit: 1000000000000 is too large — must be ≤ 10000000$/],
    ['workload[0].pattern={kind: poisson, rate: 1e12/s, count: 1e15}', /^workload\[0\]\.pattern\.count: 1000000000000000 is too large — must be ≤ 2147483647$/],
    ['population.size=1e15', /^population\.size: 1000000000000000 is too large/],
  ];
  for (const [set, want] of cases) {
    const p = problems(MINIMAL, { set: [set] });
    assert.equal(p.length, 1, `${set}: ${p.join('\n')}`);
    assert.match(p[0], want, set);
  }
});

test('item 3: the memory estimate refuses traces, samples, workers and workloads that cannot fit, naming the field and the most it allows', () => {
  const budget = { heapBytes: 512 * 2 ** 20, totalBytes: 8 * 2 ** 30 };
  const big = MINIMAL.replace('size: 4', 'size: 1000000');
  const cases: [string[], RegExp][] = [
    [['observe.watch={every: 1}', 'observe.traceLimit=3000000'], /^observe\.traceLimit: the run would need about .* for a trace of up to 3000000 records \(1000000 watched subscribers\), more than the 537 MB of heap a run has here — set observe\.traceLimit to at most \d+ or watch fewer subscribers/],
    [['duration=1h', 'observe.interval=1us'], /^observe\.interval: .* is 3600000001 samples per node, more than 1000000 — use an interval of at least 3600000 ns \(e\.g\. 10ms\)$/],
    [['duration=10min', 'observe.interval=1ms'], /^observe\.interval: the run would need about .* for 600001 samples × 2 nodes, .* — use an interval of at least \d+ ns$/],
    [['workload[0].pattern={kind: poisson, rate: 1e12/s, count: 100000000}'], /^workload\[0\]\.pattern\.count: the run would need about 8\.4 GB .* for 100000000 workload triggers, .* — use at most \d+ triggers$/],
  ];
  for (const [sets, want] of cases) {
    const p = problems(big, { set: sets, budget });
    assert.equal(p.length, 1, `${sets.join(' ')}: ${p.join('\n')}`);
    assert.match(p[0], want, sets.join(' '));
  }
  assert.ok(loadScenarioText(big, join(tmp, 'x.yaml'), { budget }), 'the scenario itself fits');
});

// ---- item 8: variants validated once ------------------------------------------------------------

test('item 8: 300 variants validate in linear time (each variant checks the document without the others)', () => {
  // CPU time (not wall: a loaded machine preempts), the least of 3 tries (a GC pause falls in one).
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const time = (n: number) => {
    const variants = Array.from({ length: n }, (_, i) => `  v${i}: ["nodes.server.workers=${(i % 8) + 1}"]`).join('\n');
    const text = `${MINIMAL}variants:\n${variants}\n`;
    let best = Infinity;
    for (let k = 0; k < 3; k++) {
      const t0 = cpu();
      const sc = loadScenarioText(text, join(tmp, 'v.yaml'));
      assert.equal(Object.keys(sc.doc.variants!).length, n);
      best = Math.min(best, cpu() - t0);
    }
    return best;
  };
  time(20); // warm-up
  const t80 = time(80);
  const t300 = time(300);
  assert.ok(t300 < 3000, `300 variants took ${t300.toFixed(0)} ms`);
  // Linear: 3.75× the variants may cost up to ~8× (noise), quadratic would be ~14×.
  assert.ok(t300 < 8 * t80 + 50, `80 variants ${t80.toFixed(0)} ms, 300 variants ${t300.toFixed(0)} ms: not linear`);
  // A bad variant is still reported with its name.
  const p = problems(`${MINIMAL}variants:\n  good: ["nodes.server.workers=2"]\n  bad: ["nodes.server.workers=0"]\n`);
  assert.deepEqual(p, ['variants.bad: nodes[1].workers: 0 is too small — must be ≥ 1']);
});

// ---- item 10: a YAML alias bomb is a problem, not a stack trace ------------------------------------

test('item 10: a YAML alias bomb is one E_SCENARIO problem naming the fix', () => {
  const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 9; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
  const p = problems(`description: bomb\n${bomb.join('\n')}\n`);
  assert.equal(p.length, 1);
  assert.match(p[0], /^\(top level\): .*alias.* — use fewer YAML aliases/i);
});

// ---- item 13: the scenario name field -----------------------------------------------------------

test('item 13: a scenario may have a name: — the title the dashboard shows', () => {
  const sc = loadScenarioText(`name: My first run\n${MINIMAL}`, join(tmp, 'scenarios/learn/first.yaml'));
  assert.equal(sc.title, 'My first run');
  assert.equal(sc.name, 'learn/first');
  assert.equal(loadScenarioText(MINIMAL, join(tmp, 'scenarios/learn/first.yaml')).title, 'learn/first');
  assert.match(problems(`name: ""\n${MINIMAL}`)[0], /^name: must not be empty$/);
});

test('a field name with a newline in an override is a one-line problem showing it escaped', () => {
  const newline = problems('description: x\nduration: 1s\n', { set: ['obs\nerve.interval=1s'] });
  assert.ok(newline.length >= 1 && newline.every((line) => !line.includes('\n')), newline.join(' | '));
  assert.ok(newline.some((line) => line.includes('obs\\nerve')), 'the newline is shown escaped');
});

test('a scenario text above the file limit is refused before the YAML parser reads it', () => {
  const t0 = process.cpuUsage();
  const p = problems('description: x\n' + ' '.repeat(6 * 2 ** 20) + '\n');
  assert.match(p.join(' '), /at most 4 MB/);
  const cpuMs = cpuMsSince(t0);
  assert.ok(cpuMs < 500, `refused in ${cpuMs} ms of CPU`);
});
