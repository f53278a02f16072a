/**
 * `reglab compare` as a user runs it, for the ffs scenarios' tests: the real CLI in a child
 * process, a fresh output directory (the run store is keyed by content; a fresh one means every
 * run is really made), the compare.csv read back as one row per policy.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

export type Row = Record<string, string>;

export interface Compared {
  stdout: string;
  rows: Map<string, Row>;
  /** The mean of `metric` over the seeds for `policy` (NaN when empty: e.g. never consistent). */
  v(policy: string, metric: string): number;
}

/** Runs `reglab compare scenarios/ffs/FILE --policy PATH=… --seeds N [extra…]`. */
export function compareFfs(file: string, path: string, policies: readonly string[], seeds: number, extra: readonly string[] = []): Compared {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-ffs-compare-'));
  try {
    const args = ['compare', join(ROOT, 'scenarios/ffs', file), '--policy', `${path}=${policies.join(',')}`, '--seeds', String(seeds), '--quiet', '--out', dir, ...extra];
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/reglab.mjs'), ...args], { encoding: 'utf8', cwd: ROOT });
    assert.equal(r.status, 0, r.stderr);
    const [head, ...lines] = readFileSync(join(dir, 'compare.csv'), 'utf8').trim().split('\n');
    const cols = head.split(',');
    const rows = new Map<string, Row>();
    for (const l of lines) {
      const cells = l.split(',');
      const row: Row = {};
      cols.forEach((c, i) => (row[c] = cells[i]));
      rows.set(row.policy, row);
    }
    const v = (policy: string, metric: string): number => {
      const x = rows.get(policy)?.[`${metric}.mean`];
      assert.ok(x !== undefined, `${policy}: no ${metric} column`);
      return x === '' ? NaN : Number(x);
    };
    return { stdout: r.stdout, rows, v };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
