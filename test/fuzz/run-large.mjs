// `npm run fuzz`: every *fuzz* test file at a large scale (REGLAB_FUZZ_SCALE, default 100), then a table of
// each target's cases and time. Reproduce a failure with the REGLAB_FUZZ_SEED / REGLAB_FUZZ_ONLY it prints.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'reglab-fuzz-'));
const report = join(dir, 'summary.jsonl');
const env = { ...process.env, REGLAB_FUZZ_SCALE: process.env.REGLAB_FUZZ_SCALE ?? '100', REGLAB_FUZZ_REPORT: report };
const args = process.argv.slice(2);
const t0 = Date.now();
const r = spawnSync(process.execPath, [join(root, 'test/run.mjs'), ...(args.length ? args : ['fuzz'])], { stdio: 'inherit', env, cwd: root });
const wall = (Date.now() - t0) / 1000;
if (existsSync(report)) {
  const rows = readFileSync(report, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  console.log(`\nfuzz summary (scale ${env.REGLAB_FUZZ_SCALE}, wall ${wall.toFixed(1)} s incl. type check)`);
  console.log('target'.padEnd(34) + 'cases'.padStart(9) + 'failing'.padStart(9) + 'wall s'.padStart(9) + 'CPU s'.padStart(8) + 'slowest ms'.padStart(12) + 'bound ms'.padStart(10));
  for (const s of rows)
    console.log(
      s.name.padEnd(34) + String(s.cases).padStart(9) + String(s.failures).padStart(9) + (s.totalMs / 1000).toFixed(2).padStart(9) + (s.checkMs / 1000).toFixed(2).padStart(8) +
        s.maxCaseMs.toFixed(1).padStart(12) + String(s.timeBoundMs).padStart(10),
    );
  const cases = rows.reduce((n, s) => n + s.cases, 0);
  console.log(`total: ${cases} cases in ${(rows.reduce((n, s) => n + s.totalMs, 0) / 1000).toFixed(1)} s of target time`);
}
rmSync(dir, { recursive: true, force: true });
process.exit(r.status ?? 1);
