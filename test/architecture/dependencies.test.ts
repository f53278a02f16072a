// DESIGN principle 1 and the dependency rules, checked on the import lines of sim/: a node depends
// only on its ports (sim/node/ports.ts), so the same node code runs in the simulator and in the
// emulation lab. Scans the source as text (every `import … from '…'`, type-only imports included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SIM = join(ROOT, 'sim');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? tsFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

/** Resolved paths (relative to the repository) of the modules a file imports from our tree. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) out.push(relative(ROOT, resolve(dirname(file), m[1])));
  return out;
}

/** The folders whose files are node models (or a node's sub-layers): they see ports only. */
const NODE_DIRS = ['sim/node', 'sim/ims', 'sim/msgin5g', 'sim/generic', 'sim/faults'];
const CONCRETE_WORLD = ['sim/kernel/simulator.ts', 'sim/net/network.ts'];

test('no file of a node folder imports the Simulator or the InProcessNetwork (only the ports)', () => {
  const bad: string[] = [];
  for (const d of NODE_DIRS) {
    for (const f of tsFiles(join(ROOT, d))) {
      for (const imp of importsOf(f)) if (CONCRETE_WORLD.includes(imp)) bad.push(`${relative(ROOT, f)} imports ${imp}`);
    }
  }
  assert.deepEqual(bad, [], 'bind these through sim/node/ports.ts (the worlds bind the concrete classes: sim/scenario/build.ts, sim/emulate)');
});

/** A node's files: msc-*.ts are the MSC's shell and parts, gateway*.ts the gateway's; else one file a node. */
const groupOf = (file: string) => basename(file, '.ts').replace(/^(msc|gateway)(-.*)?$/, '$1');
/** The bases every node of a domain builds on. */
const BASES = ['sim/node/node.ts', 'sim/ims/ims-node.ts'];

test('no node imports another node’s class (nodes share data through messages and the address book)', () => {
  const nodeFiles = new Set<string>();
  const all = NODE_DIRS.flatMap((d) => tsFiles(join(ROOT, d)));
  for (const f of all) if (/\bclass\s+\w+\s+extends\s+(Node|ImsNode|Msc\w+|Gateway\w+)\b/.test(readFileSync(f, 'utf8'))) nodeFiles.add(relative(ROOT, f));
  for (const b of BASES) nodeFiles.delete(b);
  assert.ok(nodeFiles.has('sim/ims/scscf.ts') && nodeFiles.has('sim/msgin5g/server.ts') && nodeFiles.has('sim/ims/msc-shell.ts'), 'the scan finds the node classes');
  const bad: string[] = [];
  for (const f of nodeFiles) {
    for (const imp of importsOf(join(ROOT, f))) {
      if (nodeFiles.has(imp) && groupOf(imp) !== groupOf(f)) bad.push(`${f} imports ${imp}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('the domains never import each other; kernel/ imports nothing of ours but itself', () => {
  const bad: string[] = [];
  for (const [from, not] of [
    ['sim/ims', 'sim/msgin5g/'],
    ['sim/msgin5g', 'sim/ims/'],
  ] as const) {
    for (const f of tsFiles(join(ROOT, from))) for (const imp of importsOf(f)) if (imp.startsWith(not)) bad.push(`${relative(ROOT, f)} imports ${imp}`);
  }
  for (const f of tsFiles(join(SIM, 'kernel'))) for (const imp of importsOf(f)) if (!imp.startsWith('sim/kernel/')) bad.push(`${relative(ROOT, f)} imports ${imp}`);
  assert.deepEqual(bad, []);
});
