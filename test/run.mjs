// Runs every test/**/*.test.ts with node:test (through tsx) after a strict type check, and ends
// with the project's closing line "tests: N passed, N failed" (from reporter.mjs).
// Usage: node test/run.mjs [filter-substring…]
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const filters = process.argv.slice(2);

const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', root], {
  stdio: 'inherit',
});
if (tsc.status !== 0) {
  console.log('typecheck failed');
  console.log('tests: 0 passed, 1 failed');
  process.exit(1);
}

// Unit tests of the web's pure modules sit beside them in web/src (DESIGN: tested next to itself).
const files = ['test', 'web/src']
  .flatMap((dir) => readdirSync(join(root, dir), { recursive: true }).map((f) => join(dir, String(f))))
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', `--test-reporter=${join(root, 'test/reporter.mjs')}`, ...files],
  { stdio: 'inherit', cwd: root, env: { ...process.env, REGLAB_TEST: '1' } },
);
process.exit(r.status ?? 1);
