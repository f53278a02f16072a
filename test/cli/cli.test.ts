import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reglabInProcess } from './cli-in-process.ts';
import { NODE_TYPES } from '../../sim/scenario/node-types.ts';
import { REGLAB_VERSION } from '../../sim/version.ts';

/**
 * The command line's argument handling and exit codes (0 ok, 1 --strict findings, 2 bad input),
 * called in-process through main() with console output captured. Only paths that fail before a
 * run prints its table are exercised here; full runs are in test/integration/generic-run.test.ts.
 */

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const LEARN = join(ROOT, 'scenarios/learn/request-response.yaml');
const VARIANTS = join(ROOT, 'test/fixtures/generic-variants.yaml');

const tmp = mkdtempSync(join(tmpdir(), 'reglab-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const reglab = reglabInProcess();

// ---- commands and usage -----------------------------------------------------------------------

test('no command: usage, exit 2; --help: usage, exit 0; --version', async () => {
  const none = await reglab();
  assert.equal(none.code, 2);
  assert.match(none.out, /^Usage: reglab /m);
  assert.match(none.out, /exit codes: 0 success, 1 .*--strict.*, 2 bad input/);
  for (const h of ['--help', '-h', 'help']) {
    const r = await reglab(h);
    assert.equal(r.code, 0, h);
    assert.match(r.out, /run \[options\] <scenario>/);
  }
  const v = await reglab('--version');
  assert.equal(v.code, 0);
  assert.equal(v.out, REGLAB_VERSION);
});

// Issue 11 item 11: every subcommand prints its own usage, options and examples (exit 0).
const SUBCOMMANDS: Record<string, RegExp[]> = {
  run: [/--seed <n>/, /--set <path=value>/, /--out <dir>/, /--strict/, /-q, --quiet/, /--variant <name>/],
  sweep: [/--vary <path=v1,v2,…>/, /--workers <n>/, /--out <dir>/, /-q, --quiet/],
  compare: [/--policy <path=a,b,…>/, /--seeds <k>/, /--metric <column>/, /-q, --quiet/],
  validate: [/<scenario\.\.\.>/],
  schema: [/--out <file>/, /'-' for stdout/],
  serve: [/--port <n>/, /--host <addr>/, /--build-if-needed/],
};
for (const [cmd, options] of Object.entries(SUBCOMMANDS)) {
  test(`${cmd} --help / -h / help ${cmd}: its own usage, options and examples, exit 0`, async () => {
    for (const args of [[cmd, '--help'], [cmd, '-h'], ['help', cmd]]) {
      const r = await reglab(...args);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.out, new RegExp(`^Usage: reglab ${cmd} `), args.join(' '));
      for (const o of options) assert.match(r.out, o, `${args.join(' ')}: ${o}`);
      assert.match(r.out, new RegExp(`examples:\n  reglab ${cmd}\\b`), args.join(' '));
      assert.equal(r.err, '', args.join(' '));
    }
  });
}

test('an unknown command: exit 2 with E_USAGE and the usage', async () => {
  const r = await reglab('rnu', LEARN);
  assert.equal(r.code, 2);
  assert.match(r.err, /^reglab: unknown command 'rnu' \(Did you mean run\?\) \[E_USAGE\]/);
  assert.match(r.err, /Usage: reglab/);
});

test('run: no file, two files, or an unknown option → exit 2, E_USAGE, one line naming the help', async () => {
  for (const args of [['run'], ['run', LEARN, LEARN], ['run', LEARN, '--bogus'], ['run', LEARN, '--seed']]) {
    const r = await reglab(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /^reglab: .* — see 'reglab run --help' \[E_USAGE\]$/, args.join(' '));
  }
  assert.match((await reglab('run')).err, /missing required argument 'scenario'/);
  assert.match((await reglab('run', LEARN, LEARN)).err, /too many arguments for 'run'/);
});

test('run --seed must be a whole number from 0 to 2^32-1', async () => {
  for (const s of ['abc', '-1', '1.5', '4294967296', '1e3']) {
    const r = await reglab('run', LEARN, `--seed=${s}`, '--quiet');
    assert.equal(r.code, 2, s);
    assert.match(r.err, new RegExp(`--seed ${s.replace('.', '\\.')}: expected a whole number from 0 to 4294967295 .*\\[E_USAGE\\]`), s);
  }
});

test('run on a file that does not exist: exit 2, E_SCENARIO, the reason', async () => {
  const r = await reglab('run', join(tmp, 'nope.yaml'), '--quiet');
  assert.equal(r.code, 2);
  assert.match(r.err, /^reglab: invalid scenario \[E_SCENARIO\]/);
  assert.match(r.err, /cannot read the file: ENOENT/);
});

test('run --variant: an unknown name lists the variants there are', async () => {
  const none = await reglab('run', LEARN, '--variant', 'fast', '--quiet');
  assert.equal(none.code, 2);
  assert.match(none.err, /--variant fast: the scenario has no variants \[E_USAGE\]/);
  const some = await reglab('run', VARIANTS, '--variant', 'fast', '--quiet');
  assert.equal(some.code, 2);
  assert.match(some.err, /--variant fast: the scenario has variants one-worker, four-workers \[E_USAGE\]/);
});

test('run --out into a directory that is not a run directory: exit 2, E_OUT_DIR, the directory untouched', async () => {
  const dir = join(tmp, 'mine');
  mkdirSync(dir);
  writeFileSync(join(dir, 'notes.txt'), 'keep');
  const r = await reglab('run', LEARN, '--out', dir, '--quiet');
  assert.equal(r.code, 2);
  assert.match(r.err, /not a RegLab run directory.*\[E_OUT_DIR\]/);
  assert.deepEqual(readdirSync(dir), ['notes.txt']);
  assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'keep');
});

test('run --out naming an existing file: exit 2, E_OUT_DIR, the file untouched', async () => {
  const file = join(tmp, 'report.txt');
  writeFileSync(file, 'keep');
  const r = await reglab('run', LEARN, '--out', file, '--quiet');
  assert.equal(r.code, 2);
  assert.match(r.err, /\[E_OUT_DIR\]/);
  assert.equal(readFileSync(file, 'utf8'), 'keep');
});

test('run a scenario with variants --out DIR whose variant directory is not a run directory: refused up front, nothing written', async () => {
  const dir = join(tmp, 'variants-out');
  mkdirSync(join(dir, 'one-worker'), { recursive: true });
  writeFileSync(join(dir, 'one-worker', 'notes.txt'), 'keep');
  const r = await reglab('run', VARIANTS, '--out', dir, '--quiet');
  assert.equal(r.code, 2);
  assert.match(r.err, /\[E_OUT_DIR\]/);
  assert.doesNotMatch(r.err, /at writeRunDir/, 'no stack trace for bad input');
  assert.deepEqual(readdirSync(dir), ['one-worker']);
  assert.deepEqual(readdirSync(join(dir, 'one-worker')), ['notes.txt']);
});

test('validate without files: exit 2, E_USAGE', async () => {
  const r = await reglab('validate');
  assert.equal(r.code, 2);
  assert.match(r.err, /^reglab: missing required argument 'scenario' — see 'reglab validate --help' \[E_USAGE\]$/);
});

test('validate reports each file: ok lines for good ones, problems for bad ones, exit 2 if any is bad', async () => {
  const ok = await reglab('validate', LEARN, VARIANTS);
  assert.equal(ok.code, 0);
  assert.equal(ok.out.split('\n').length, 2, ok.out);
  const bad = await reglab('validate', LEARN, join(ROOT, 'test/fixtures/bad-scenarios/workers-zero.yaml'));
  assert.equal(bad.code, 2);
  assert.match(bad.out, /^ok: .*request-response\.yaml — 3 nodes, population 50, 1 workload\(s\)$/);
  assert.match(bad.err, /workers-zero\.yaml: 1 problem\(s\)\n {2}nodes\[2\]\.workers: 0 is too small — must be ≥ 1/);
});

// ---- sweep ------------------------------------------------------------------------------------

test('sweep: --out and --vary are required, --vary needs path=v1,v2,…', async () => {
  const noOut = await reglab('sweep', LEARN, '--vary', 'nodes.server.workers=1,2', '--quiet');
  assert.equal(noOut.code, 2);
  assert.match(noOut.err, /sweep needs --out DIR/);
  const noVary = await reglab('sweep', LEARN, '--out', join(tmp, 's0'), '--quiet');
  assert.equal(noVary.code, 2);
  assert.match(noVary.err, /sweep needs at least one --vary/);
  for (const v of ['nodes.server.workers', 'nodes.server.workers=', '=1,2', 'nodes.server.workers=,']) {
    const r = await reglab('sweep', LEARN, '--vary', v, '--out', join(tmp, 's0'), '--quiet');
    assert.equal(r.code, 2, v);
    assert.match(r.err, /expected path=v1,v2,… .*\[E_USAGE\]/, v);
  }
  assert.equal(existsSync(join(tmp, 's0')), false);
});

test('sweep --workers must be 1 … 64', async () => {
  for (const w of ['0', '65', 'two', '1.5']) {
    const r = await reglab('sweep', LEARN, '--vary', 'nodes.server.workers=1,2', '--workers', w, '--out', join(tmp, 's1'), '--quiet');
    assert.equal(r.code, 2, w);
    assert.match(r.err, new RegExp(`--workers ${w.replace('.', '\\.')}: expected a whole number from 1 to 64`), w);
  }
});

test('sweep checks every combination before running anything: a bad value or path → exit 2, no output', async () => {
  const dir = join(tmp, 's2');
  const r = await reglab('sweep', LEARN, '--vary', 'nodes.server.workers=1,0', '--vary', 'nodes.nope.workers=1', '--out', dir, '--quiet');
  assert.equal(r.code, 2);
  assert.match(r.err, /nodes\.server\.workers=0 nodes\.nope\.workers=1: --set nodes\.nope\.workers: 'nodes\.nope' does not exist/);
  const r2 = await reglab('sweep', LEARN, '--vary', 'nodes.server.workers=1,0', '--out', dir, '--quiet');
  assert.equal(r2.code, 2);
  assert.match(r2.err, /nodes\.server\.workers=0: nodes\[2\]\.workers: 0 is too small — must be ≥ 1/);
  assert.doesNotMatch(r2.err, /nodes\.server\.workers=1:/, 'the good value is not reported');
  assert.equal(existsSync(dir), false);
});

// ---- serve and schema -------------------------------------------------------------------------

test('serve --port out of range: exit 2 before anything listens', async () => {
  for (const p of ['70000', '-1', 'http']) {
    const r = await reglab('serve', `--port=${p}`);
    assert.equal(r.code, 2, p);
    assert.match(r.err, new RegExp(`--port ${p}: expected a whole number from 0 to 65535 .*\\[E_USAGE\\]`));
  }
});

test('schema --out writes a JSON Schema with the top-level fields and every node type and its params', async () => {
  const file = join(tmp, 'sub', 'scenario.schema.json');
  const r = await reglab('schema', '--out', file);
  assert.equal(r.code, 0);
  assert.equal(r.out, `wrote ${file}`);
  const s = JSON.parse(readFileSync(file, 'utf8'));
  assert.equal(s.title, 'RegLab scenario');
  assert.match(s.$schema, /json-schema\.org/);
  assert.equal(s.additionalProperties, false);
  for (const k of ['description', 'seed', 'duration', 'network', 'nodes', 'population', 'workload', 'observe', 'variants']) assert.ok(k in s.properties, k);
  assert.deepEqual([...s.required].sort(), ['description', 'duration', 'nodes', 'population']);
  assert.match(s.properties.network.properties.defaults.properties.delay.description, /ns, us, ms, s, min or h/);
  const variants: { properties: { type: { const: string }; params: { properties: Record<string, unknown>; additionalProperties: boolean } } }[] =
    s.properties.nodes.items.oneOf ?? s.properties.nodes.items.anyOf;
  const byType = new Map(variants.map((v) => [v.properties.type.const, v.properties.params]));
  assert.deepEqual([...byType.keys()].sort(), NODE_TYPES.map((t) => t.type).sort());
  const client = byType.get('gen-client')!;
  assert.deepEqual(Object.keys(client.properties).sort(), ['payload', 'timeout', 'via']);
  assert.equal(client.additionalProperties, false);
  assert.deepEqual(Object.keys(byType.get('gen-server')!.properties), ['payload']);
});

// ---- the real binary --------------------------------------------------------------------------

test('bin/reglab.mjs turns main()’s result into the process exit code', () => {
  const r = spawnSync(process.execPath, ['bin/reglab.mjs', 'nonsense'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown command 'nonsense'.*\[E_USAGE\]/);
});

test('schema: a unit field with its own description still tells editors its unit format', async () => {
  const file = join(tmp, 'schema2.json');
  assert.equal((await reglab('schema', '--out', file)).code, 0);
  const s = JSON.parse(readFileSync(file, 'utf8'));
  assert.match(s.properties.duration.description, /ns, us, ms, s, min or h/);
  assert.match(s.properties.observe.properties.interval.description, /ns, us, ms, s, min or h/);
});

// ---- issue 11 item 11: -q, schema --out - ---------------------------------------------------------

test('-q is --quiet on run, sweep and compare (refused before the commander CLI)', async () => {
  for (const cmd of ['run', 'sweep', 'compare']) {
    const r = await reglab(cmd, join(tmp, 'nope.yaml'), '-q', ...(cmd === 'sweep' ? ['--vary', 'seed=1,2', '--out', join(tmp, 'q')] : []));
    assert.equal(r.code, 2, cmd);
    assert.match(r.err, /^reglab: invalid scenario \[E_SCENARIO\]/, `${cmd}: -q is accepted and the file is what fails`);
  }
});

test('schema --out - writes the schema to stdout and no file named -', () => {
  // The real binary, not main() in this process: here stdout carries node:test's own reporter
  // stream to the runner, and a mock on process.stdout.write swallowed other tests' results with it.
  const dir = mkdtempSync(join(tmp, 'dash-'));
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/reglab.mjs'), 'schema', '--out', '-'], { cwd: dir, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(join(dir, '-')), false);
  const s = JSON.parse(r.stdout);
  assert.equal(s.title, 'RegLab scenario');
});

// ---- issue 11 item 10: bad input is one line, exit 2, checked before running ------------------------

test('run --out under a regular file or in /proc: refused before the run, one line, exit 2', async () => {
  const file = join(tmp, 'plain.txt');
  writeFileSync(file, 'keep');
  for (const out of [join(file, 'run'), '/proc/reglab-nope/run']) {
    const t0 = performance.now();
    const r = await reglab('run', LEARN, '--out', out, '-q');
    assert.equal(r.code, 2, out);
    assert.match(r.err, /^reglab: --out .*(is a file, not a directory|cannot create|cannot write|cannot use).* — choose .* \[E_OUT_DIR\]$/, out);
    assert.equal(r.out, '', `${out}: nothing ran (no summary table)`);
    assert.ok(performance.now() - t0 < 5000);
  }
  assert.equal(readFileSync(file, 'utf8'), 'keep');
});

test('schema --out into /proc or under a file: one line, exit 2, at once (it spun at full CPU)', async () => {
  const file = join(tmp, 'plain2.txt');
  writeFileSync(file, 'keep');
  for (const out of ['/proc/reglab-x/y.json', join(file, 'schema.json')]) {
    const t0 = performance.now();
    const r = await reglab('schema', '--out', out);
    assert.equal(r.code, 2, out);
    assert.match(r.err, /^reglab: --out .* — choose .* \[E_OUT_DIR\]$/, out);
    assert.ok(performance.now() - t0 < 2000, `${out}: ${performance.now() - t0} ms`);
  }
});

test('a YAML alias bomb, a directory and --set __proto__: exit 2 with the problem, no stack trace (the real binary)', () => {
  const bomb = join(tmp, 'bomb.yaml');
  const lines = ['description: bomb', 'a: &a ["x","x","x","x","x","x","x","x","x"]'];
  for (let i = 0; i < 9; i++) lines.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
  writeFileSync(bomb, lines.join('\n') + '\n');
  for (const args of [['run', bomb, '-q'], ['run', tmp, '-q'], ['run', LEARN, '-q', '--set', '__proto__.polluted=1'], ['validate', '/dev/zero']]) {
    const r = spawnSync(process.execPath, ['bin/reglab.mjs', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${args.join(' ')}: a stack trace`);
    assert.doesNotMatch(r.stderr, /ReferenceError|ZodError|EISDIR/, args.join(' '));
  }
});

test('serve on a busy --port: one line naming --port, exit 2 (item 12)', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = spawnSync(process.execPath, ['bin/reglab.mjs', 'serve', '--port', String(port)], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim(), `reglab: port ${port} on 127.0.0.1 is in use — choose another with --port N (--port 0 picks any free port) [E_PORT]`);
  } finally {
    blocker.close();
  }
});

test('run --out of a scenario without a wire protocol says why there is no trace.pcapng (item 14)', () => {
  // The real binary: its summary goes to stdout, which in this process is node:test's reporter stream.
  const dir = join(tmp, 'rr-out');
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/reglab.mjs'), 'run', LEARN, '--out', dir], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(existsSync(join(dir, 'trace.pcapng')), false);
  assert.match(r.stderr, /^note: no trace\.pcapng — learn\/request-response's messages have no wire protocol to capture/m);
});

test('a reader that closes the pipe early (reglab --help | head -1) ends reglab quietly: exit 0, no EPIPE trace', async () => {
  const child = spawn(process.execPath, ['bin/reglab.mjs', '--help'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // Closed before reglab writes anything: every write of the help text meets a closed pipe.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  assert.equal(stderr, '', 'nothing on stderr');
  assert.equal(code, 0);
});
