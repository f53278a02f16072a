import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { applyOverrides } from '../scenario/overrides.ts';
import { scenarioName, type Scenario } from '../scenario/load.ts';
import type { ScenarioBundle } from './types.ts';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The bundle of a scenario file: its text (read once) and the files each loaded run reads.
 * `loaded` are the scenarios the campaign's runs validated to (their CSV replays are attached).
 */
export function makeBundle(file: string, text: string, loaded: readonly Scenario[]): ScenarioBundle {
  const attachments: Record<string, string> = {};
  for (const sc of loaded) {
    for (const w of sc.doc.workload) {
      if (w.pattern.kind !== 'csv' || w.pattern.file in attachments) continue;
      attachments[w.pattern.file] = readFileSync(resolve(dirname(file), w.pattern.file), 'utf8');
    }
  }
  const name = scenarioName(file);
  const sorted = Object.keys(attachments).sort().map((k) => [k, attachments[k]]);
  return { name, file, text, attachments, hash: sha256(JSON.stringify([name, text, sorted])) };
}

const written = new Map<string, string>();

/** Where this process writes a bundle's attachments: the data folder its runs may read from. */
export function bundleDir(bundle: ScenarioBundle): string {
  return join(tmpdir(), `reglab-bundle-${bundle.hash.slice(0, 16)}-${process.pid}`);
}

/**
 * The --set overrides that point a run's CSV replays at the bundle's copies (written once per
 * process under the temp dir), so a worker needs no shared file system. Empty without attachments.
 */
export function attachmentSets(bundle: ScenarioBundle, sets: readonly string[]): string[] {
  if (Object.keys(bundle.attachments).length === 0) return [];
  const raw = YAML.parse(bundle.text) as Record<string, unknown>;
  applyOverrides(raw, sets);
  const workload = Array.isArray(raw.workload) ? (raw.workload as { pattern?: { kind?: unknown; file?: unknown } }[]) : [];
  const out: string[] = [];
  workload.forEach((w, i) => {
    const f = w?.pattern?.kind === 'csv' ? w.pattern.file : undefined;
    if (typeof f !== 'string' || !(f in bundle.attachments)) return;
    const id = `${bundle.hash}:${f}`;
    let path = written.get(id);
    if (!path) {
      const dir = bundleDir(bundle);
      mkdirSync(dir, { recursive: true });
      path = join(dir, `${written.size}.csv`);
      writeFileSync(path, bundle.attachments[f]);
      written.set(id, path);
    }
    out.push(`workload[${i}].pattern.file=${JSON.stringify(path)}`);
  });
  return out;
}
