/**
 * Prints `name variant traceHash events` for every scenario under scenarios/ and test/fixtures/,
 * base and each of its variants: a refactor that must not change behaviour is checked by running
 * this before and after and diffing the output (`--root DIR` runs another checkout's tree).
 *   npx tsx bench/fingerprints.ts [--root DIR] [--skip WORD]… [--only WORD]
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flag = (name: string) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
const root = resolve(flag('--root')[0] ?? '.');
const skip = flag('--skip');
const only = flag('--only');

const { loadScenarioFile } = await import(pathToFileURL(join(root, 'sim/scenario/load.ts')).href);
const { runScenario } = await import(pathToFileURL(join(root, 'sim/scenario/run.ts')).href);

function yamls(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return yamls(p);
    return f.endsWith('.yaml') ? [p] : [];
  });
}

const files = [...yamls(join(root, 'scenarios')), ...yamls(join(root, 'test/fixtures')).filter((f) => !f.includes('bad-'))]
  .filter((f) => !skip.some((w) => f.includes(w)) && (only.length === 0 || only.some((w) => f.includes(w))));
for (const file of files) {
  const name = relative(root, file);
  let sc;
  try {
    sc = loadScenarioFile(file);
  } catch (e) {
    console.log(`${name} - load-error ${(e as Error).message.split('\n')[0]}`);
    continue;
  }
  const variants: [string, string[]][] = [['-', []], ...Object.entries((sc.doc.variants ?? {}) as Record<string, string[]>)];
  for (const [v, sets] of variants) {
    const s = sets.length ? loadScenarioFile(file, { set: sets }) : sc;
    const r = await runScenario(s);
    console.log(`${name} ${v} ${r.summary.traceHash} ${r.summary.events} rules=${r.summary.rules.passed}/${r.summary.rules.failed}`);
  }
}
