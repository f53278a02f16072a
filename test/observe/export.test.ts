import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mermaid, metricsCsv, writeRunDir, METRICS_COLUMNS, type RunOutput } from '../../sim/observe/export.ts';
import type { SampleRow, Summary, TraceRecord } from '../../sim/observe/records.ts';

function rec(seq: number, t: number, from: string, to: string, kind: string, extra: Partial<TraceRecord> = {}): TraceRecord {
  return { seq, t, from, to, proto: 'gen', kind, subscribers: [0], bytes: 10, wire: `${kind}\r\n`, rules: [], event: 'delivered', ...extra };
}

function sample(t: number, node: string, n = 1): SampleRow {
  return { t, node, msgsIn: n, msgsOut: 2 * n, bytesIn: 100 * n, bytesOut: 200 * n, busy: 0.25, queue: 3, dropped: 0 };
}

function output(tag: string, extra: RunOutput['extra'] = []): RunOutput {
  return {
    summary: { scenario: 'test', seed: 1, traceHash: tag } as unknown as Summary,
    rules: [{ id: 'r', title: 't', status: 'passed', detail: 'ok', evidence: [0] }],
    trace: [rec(0, 1_000_000, '(workload)', 'client', 'request'), rec(1, 2_500_000, 'client', 'server', 'request')],
    samples: [sample(1e9, 'client'), sample(1e9, 'server')],
    nodes: ['client', 'server'],
    manifest: { seed: 1, tag },
    extra,
  };
}

/** Runs `fn` in a fresh temporary directory, removed afterwards whatever happens. */
async function inTmp(fn: (base: string) => Promise<void>): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'reglab-export-'));
  try {
    await fn(base);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

// ---- flows.mmd --------------------------------------------------------------------------------

test('mermaid: header, participants in node order after pseudo-participants, only those used', () => {
  const trace = [rec(0, 0, '(workload)', 'msc-ics', 'detach'), rec(1, 1_000_000, 'msc-ics', 'i.cscf', 'REGISTER')];
  const lines = mermaid(['hss', 'i.cscf', 'msc-ics'], trace).split('\n');
  assert.deepEqual(lines.slice(0, 4), [
    'sequenceDiagram',
    '  participant _workload_ as (workload)',
    '  participant i_cscf as i.cscf',
    '  participant msc_ics as msc-ics',
  ]);
  assert.ok(!lines.some((l) => l.includes('hss')), 'an unused node gets no lifeline');
});

test('mermaid: one arrow per record, numbered #seq as in the page and rules.json, time in ms with 3 decimals, kind, subscriber count for bulks', () => {
  const trace = [
    rec(0, 1_234_567, 'a', 'b', 'REGISTER'),
    rec(1, 2_000_000, 'b', 'a', 'bulk', { subscribers: [1, 2, 3] }),
  ];
  const text = mermaid(['a', 'b'], trace);
  assert.match(text, /^ {2}a->>b: #0 1\.235 ms REGISTER$/m);
  assert.match(text, /^ {2}b->>a: #1 2\.000 ms bulk \[3 subs\]$/m);
  assert.ok(text.endsWith('\n'));
});

test('mermaid: a dropped message ends in a cross with its reason', () => {
  const text = mermaid(['a', 'b'], [rec(0, 5_000_000, 'a', 'b', 'REGISTER', { event: 'dropped', reason: 'loss' })]);
  assert.match(text, /^ {2}a-xb: #0 5\.000 ms REGISTER \(dropped: loss\)$/m);
  assert.doesNotMatch(text, /->>/);
});

test('mermaid: characters that break the diagram syntax (; and #) are taken out of labels, but the number', () => {
  const text = mermaid(['a', 'b'], [rec(7, 0, 'a', 'b', 'X;Y#1')]);
  const arrow = text.split('\n').find((l) => l.includes('->>'))!;
  const label = arrow.split(': ')[1]!;
  assert.ok(label.startsWith('#7 '), label);
  assert.doesNotMatch(label.slice(3), /[;#]/);
});

test('mermaid: an empty trace is a valid diagram with no participants', () => {
  assert.equal(mermaid(['a'], []), 'sequenceDiagram\n');
});

// ---- metrics.csv ------------------------------------------------------------------------------

test('metricsCsv: the documented columns, one row per sample, seconds alongside ns', () => {
  const text = metricsCsv([sample(250_000_000, 'client'), sample(500_000_000, 'server', 2)]);
  assert.deepEqual(METRICS_COLUMNS, ['t_ns', 't_s', 'node', 'msgs_in', 'msgs_out', 'bytes_in', 'bytes_out', 'busy', 'queue', 'dropped']);
  assert.equal(text, 't_ns,t_s,node,msgs_in,msgs_out,bytes_in,bytes_out,busy,queue,dropped\n250000000,0.25,client,1,2,100,200,0.25,3,0\n500000000,0.5,server,2,4,200,400,0.25,3,0\n');
});

test('metricsCsv: a node id with a comma or quote is quoted; no samples → header only', () => {
  assert.equal(metricsCsv([sample(1, 'a,"b"')]).split('\n')[1], '1,1e-9,"a,""b""",1,2,100,200,0.25,3,0');
  assert.equal(metricsCsv([]), METRICS_COLUMNS.join(',') + '\n');
});

// ---- writeRunDir ------------------------------------------------------------------------------

test('writeRunDir: writes every file, creating parent directories', () =>
  inTmp(async (base) => {
    const dir = join(base, 'deep', 'run');
    await writeRunDir(dir, output('A', [{ name: 'trace.pcapng', data: new Uint8Array([1, 2, 3]) }]));
    assert.deepEqual(readdirSync(dir).sort(), ['flows.mmd', 'manifest.json', 'metrics.csv', 'rules.json', 'summary.json', 'trace.jsonl', 'trace.pcapng']);
    assert.equal(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).traceHash, 'A');
    assert.equal(JSON.parse(readFileSync(join(dir, 'rules.json'), 'utf8'))[0].id, 'r');
    assert.equal(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).tag, 'A');
    const lines = readFileSync(join(dir, 'trace.jsonl'), 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => JSON.parse(l).seq), [0, 1]);
    assert.match(readFileSync(join(dir, 'flows.mmd'), 'utf8'), /^sequenceDiagram/);
    assert.equal(readFileSync(join(dir, 'metrics.csv'), 'utf8').split('\n').length, 4);
    assert.deepEqual([...readFileSync(join(dir, 'trace.pcapng'))], [1, 2, 3]);
    assert.deepEqual(readdirSync(join(base, 'deep')), ['run'], 'no temporary directory left behind');
  }));

test('writeRunDir: replaces an earlier run directory completely (no stale files)', () =>
  inTmp(async (base) => {
    const dir = join(base, 'run');
    await writeRunDir(dir, output('A', [{ name: 'trace.pcapng', data: 'old' }]));
    await writeRunDir(dir, output('B'));
    assert.equal(JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).traceHash, 'B');
    assert.equal(existsSync(join(dir, 'trace.pcapng')), false);
    assert.deepEqual(readdirSync(base), ['run']);
  }));

test('writeRunDir: an existing empty directory is used', () =>
  inTmp(async (base) => {
    await writeRunDir(base, output('A'));
    assert.ok(existsSync(join(base, 'summary.json')));
  }));

test('writeRunDir: refuses a directory that is not a run directory (E_OUT_DIR) and leaves it as it was', () =>
  inTmp(async (base) => {
    const dir = join(base, 'thesis');
    mkdirSync(dir);
    writeFileSync(join(dir, 'chapter1.tex'), 'precious');
    await assert.rejects(writeRunDir(dir, output('A')), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'E_OUT_DIR');
      assert.match(err.message, /exists and is not a RegLab run directory \(no summary\.json\)/);
      return true;
    });
    assert.deepEqual(readdirSync(dir), ['chapter1.tex']);
    assert.equal(readFileSync(join(dir, 'chapter1.tex'), 'utf8'), 'precious');
    assert.deepEqual(readdirSync(base), ['thesis']);
  }));

test('writeRunDir: refuses an existing file with E_OUT_DIR, leaving it alone', () =>
  inTmp(async (base) => {
    const file = join(base, 'notes.txt');
    writeFileSync(file, 'keep me');
    await assert.rejects(writeRunDir(file, output('A')), (err: Error & { code?: string }) => err.code === 'E_OUT_DIR');
    assert.equal(readFileSync(file, 'utf8'), 'keep me');
  }));

test('writeRunDir: a write that fails leaves the earlier run directory untouched and no temporary behind', () =>
  inTmp(async (base) => {
    const dir = join(base, 'run');
    await writeRunDir(dir, output('A'));
    const before = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    // an extra file in a sub-directory that does not exist: the write fails after the main files
    await assert.rejects(writeRunDir(dir, output('B', [{ name: 'missing/sub/file.bin', data: 'x' }])), /ENOENT/);
    const after = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    assert.deepEqual(after, before);
    assert.deepEqual(readdirSync(base), ['run']);
  }));

test('writeRunDir: a failed first write leaves no directory at all', () =>
  inTmp(async (base) => {
    const dir = join(base, 'run');
    await assert.rejects(writeRunDir(dir, output('B', [{ name: 'missing/file.bin', data: 'x' }])));
    assert.deepEqual(readdirSync(base), []);
  }));

test('mermaid: node ids that sanitise alike (a-b, a_b) stay two participants', () => {
  const rec = (from: string, to: string, seq: number) => ({ seq, t: seq * 1e6, from, to, proto: 'gen', kind: 'request', subscribers: [0], bytes: 1, wire: '', rules: [], event: 'delivered' as const });
  const text = mermaid(['a-b', 'a_b'], [rec('a-b', 'a_b', 0), rec('a_b', 'a-b', 1)]);
  assert.match(text, /participant a_b as a-b/);
  assert.match(text, /participant a_b_2 as a_b/);
  assert.match(text, /a_b->>a_b_2: /);
  assert.match(text, /a_b_2->>a_b: /);
});
