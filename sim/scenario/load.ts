import { dirname, resolve, basename, sep } from 'node:path';
import YAML, { LineCounter } from 'yaml';

/** YAML syntax errors reported at most (the first ones are the ones to fix). */
const MAX_YAML_ERRORS = 20;
import type { z } from 'zod';
import { ScenarioSchema, type ScenarioDoc } from './schema.ts';
import { NODE_TYPE_BY_NAME } from './node-types.ts';
import { ScenarioError } from './scenario-error.ts';
import { applyOverrides } from './overrides.ts';
import { describeIssue } from './issues.ts';
import { parseDuration } from './units.ts';
import { parseReplayCsv } from '../population/csv-replay.ts';
import type { ReplayRows } from '../population/workload.ts';
import { currentBudget, memoryProblems, type MemoryBudget } from './memory.ts';
import { defaultDataDir, MAX_DATA_FILE_BYTES, MAX_SCENARIO_BYTES, readConfinedFile, readRegularFile } from './data-files.ts';

export { ScenarioError };

/** A validated scenario, ready to build. */
export interface Scenario {
  /** e.g. 'learn/request-response' (path under scenarios/ without .yaml), or the file's base name. */
  name: string;
  /** The scenario's `name:` if it has one, else `name` above: what the dashboard shows. */
  title: string;
  file: string;
  description: string;
  seed: number;
  duration: number;
  doc: ScenarioDoc;
  /** Parsed CSV replays, by workload index. */
  replays: Map<number, ReplayRows>;
  /** The --set overrides applied. */
  sets: string[];
}

export interface LoadOptions {
  seed?: number;
  set?: string[];
  /** Skip checking each variant (used when loading a variant itself). */
  skipVariants?: boolean;
  /** The folder referenced files (CSV replays) must lie in; default defaultDataDir(file). */
  dataDir?: string;
  /** What a run may use; default currentBudget() (this isolate's heap limit, the machine's memory). */
  budget?: MemoryBudget;
}

export function loadScenarioFile(path: string, opts: LoadOptions = {}): Scenario {
  const r = readRegularFile(path, MAX_SCENARIO_BYTES);
  if ('problem' in r) {
    const code = /\(([A-Z]+)\)/.exec(r.problem)?.[1];
    throw new ScenarioError(path, [code && r.problem.startsWith('cannot be read') ? `cannot read the file: ${code}` : `the file ${r.problem}`]);
  }
  return loadScenarioText(r.text, path, opts);
}

export function loadScenarioText(text: string, path: string, opts: LoadOptions = {}): Scenario {
  // The file reader's limit holds for text that arrives another way too (a campaign bundle, a test):
  // the YAML parser's time grows with the text (a 28 MB mutated file took 2 s).
  if (text.length > MAX_SCENARIO_BYTES) {
    throw new ScenarioError(path, [`(top level): the scenario text is ${(text.length / 2 ** 20).toFixed(1)} MB — at most ${MAX_SCENARIO_BYTES / 2 ** 20} MB; a scenario is a few KB`]);
  }
  const parsedRaw = parseYaml(text, path);
  // The variants are checked on the document without its variants: linear in their number.
  const withoutVariants = { ...parsedRaw };
  delete withoutVariants.variants;
  const scenario = validate(structuredClone(parsedRaw), path, opts, new Map());
  if (opts.skipVariants || !scenario.doc.variants) return scenario;
  const problems: string[] = [];
  const csvCache = new Map<string, ReplayText>();
  for (const [name, vsets] of Object.entries(scenario.doc.variants)) {
    try {
      validate(structuredClone(withoutVariants), path, { ...opts, set: [...(opts.set ?? []), ...vsets] }, csvCache);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      for (const p of err.problems) problems.push(`variants.${name}: ${p}`);
    }
  }
  if (problems.length) throw new ScenarioError(path, problems);
  return scenario;
}

type ReplayText = { text: string } | { problem: string };

/** YAML → a plain mapping, or every syntax problem with its line; an alias bomb is one problem too. */
function parseYaml(text: string, path: string): Record<string, unknown> {
  // prettyErrors off: it renders context for every error, quadratic on a long mangled line (fuzz case).
  const lines = new LineCounter();
  let ydoc: ReturnType<typeof YAML.parseDocument>;
  try {
    ydoc = YAML.parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter: lines });
  } catch (err) {
    // The yaml library's parser recurses per nesting level: thousands of levels overflow the stack (fuzz case).
    if (err instanceof RangeError) throw new ScenarioError(path, ['(top level): the YAML nests too deeply to read — a scenario needs a few levels, not thousands']);
    throw err;
  }
  if (ydoc.errors.length > 0) {
    const shown = ydoc.errors.slice(0, MAX_YAML_ERRORS).map((e) => {
      const pos = lines.linePos(e.pos[0]);
      const what = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      return `line ${pos.line}, column ${pos.col}: YAML syntax: ${what} — fix the YAML at that place`;
    });
    if (ydoc.errors.length > MAX_YAML_ERRORS) shown.push(`… and ${ydoc.errors.length - MAX_YAML_ERRORS} more YAML syntax errors`);
    throw new ScenarioError(path, shown);
  }
  let raw: unknown;
  try {
    raw = ydoc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    // The yaml library stops alias bombs (and other resource attacks) with a ReferenceError.
    throw new ScenarioError(path, [`(top level): ${(err as Error).message.split('\n')[0]} — use fewer YAML aliases (*name)`]);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ScenarioError(path, ['(top level): expected a mapping of fields (description, duration, nodes, population, …)']);
  }
  return raw as Record<string, unknown>;
}

/** Overrides, schema, cross-checks, referenced files and memory, on one raw document. */
function validate(rawDoc: Record<string, unknown>, path: string, opts: LoadOptions, csvCache: Map<string, ReplayText>): Scenario {
  const sets = opts.set ?? [];
  const setProblems = applyOverrides(rawDoc, sets, ScenarioSchema);
  if (opts.seed !== undefined) rawDoc.seed = opts.seed;
  const parsed = ScenarioSchema.safeParse(rawDoc);
  if (!parsed.success || setProblems.length) {
    // Every problem at once: the overrides that could not apply, then what the schema says of the rest.
    const issues = parsed.success ? [] : parsed.error.issues.map((i) => describeIssue(i as z.core.$ZodIssue, ScenarioSchema, rawDoc));
    throw new ScenarioError(path, dedupe([...setProblems, ...issues]));
  }
  const doc = parsed.data;
  const problems = crossCheck(doc);
  if (problems.length === 0) problems.push(...memoryProblems(doc, opts.budget ?? currentBudget()));
  const replays = new Map<number, ReplayRows>();
  const dataDir = opts.dataDir ?? defaultDataDir(path);
  doc.workload.forEach((w, i) => {
    if (w.pattern.kind !== 'csv') return;
    const file = resolve(dirname(path), w.pattern.file);
    const field = `workload[${i}].pattern.file`;
    let read = csvCache.get(file);
    if (!read) csvCache.set(file, (read = readConfinedFile(file, dataDir, MAX_DATA_FILE_BYTES)));
    if ('problem' in read) {
      problems.push(`${field}: ${w.pattern.file} ${read.problem}`);
      return;
    }
    const r = parseReplayCsv(read.text, {
      timeUnit: w.pattern.timeUnit,
      population: doc.population.size,
      parseDuration,
    });
    for (const p of r.problems) problems.push(`${field}: ${w.pattern.file} ${p}`);
    if (r.rows) replays.set(i, r.rows);
  });
  if (problems.length) throw new ScenarioError(path, problems);
  return {
    name: scenarioName(path),
    title: doc.name?.trim() || scenarioName(path),
    file: path,
    description: doc.description.trim(),
    seed: doc.seed,
    duration: doc.duration,
    doc,
    replays,
    sets: [...sets],
  };
}

/** Checks that span fields: unique ids, references to nodes, subscriber ranges, memory. */
function crossCheck(doc: ScenarioDoc): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  doc.nodes.forEach((n, i) => {
    if (ids.has(n.id)) problems.push(`nodes[${i}].id: '${n.id}' is used by an earlier node — node ids must be unique`);
    ids.add(n.id);
  });
  const known = () => [...ids].join(', ');
  doc.nodes.forEach((n, i) => {
    const t = NODE_TYPE_BY_NAME.get(n.type)!;
    for (const [field, ref] of t.refs(n.params)) {
      if (!ids.has(ref)) problems.push(`nodes[${i}].params.${field}: no node '${ref}' — declared nodes: ${known()}`);
      if (ref === n.id) problems.push(`nodes[${i}].params.${field}: a node cannot name itself`);
    }
  });
  doc.network.links.forEach((l, i) => {
    l.between.forEach((id, k) => {
      if (!ids.has(id)) problems.push(`network.links[${i}].between[${k}]: no node '${id}' — declared nodes: ${known()}`);
    });
    if (l.between[0] === l.between[1]) problems.push(`network.links[${i}].between: a link joins two different nodes`);
  });
  const size = doc.population.size;
  doc.workload.forEach((w, i) => {
    if (!ids.has(w.target)) problems.push(`workload[${i}].target: no node '${w.target}' — declared nodes: ${known()}`);
    const count = w.subscribers.count ?? size - w.subscribers.from;
    if (w.subscribers.from + count > size || count < 0) {
      problems.push(
        `workload[${i}].subscribers: ids ${w.subscribers.from} … ${w.subscribers.from + count - 1} exceed the population (0 … ${size - 1}) — lower from/count or raise population.size`,
      );
    }
  });
  const faultNames = new Set<string>();
  doc.faults.forEach((f, i) => {
    const at = `faults[${i}]`;
    const name = f.name ?? `${f.kind}-${i + 1}`;
    if (faultNames.has(name)) problems.push(`${at}.name: '${name}' is used by an earlier fault — names must be unique`);
    faultNames.add(name);
    const refs: [string, string][] = [];
    if ('node' in f) refs.push(['node', f.node]);
    if ('link' in f && f.link) f.link.forEach((id, k) => refs.push([`link[${k}]`, id]));
    if (f.kind === 'partition') f.between.forEach((id, k) => refs.push([`between[${k}]`, id]));
    if ('match' in f && f.match) {
      if (f.match.from) refs.push(['match.from', f.match.from]);
      if (f.match.to) refs.push(['match.to', f.match.to]);
    }
    for (const [field, id] of refs) if (!ids.has(id)) problems.push(`${at}.${field}: no node '${id}' — declared nodes: ${known()}`);
    if ('window' in f && f.window.to !== undefined && f.window.to <= f.window.from) {
      problems.push(`${at}.window: 'to' must be later than 'from'`);
    }
    if (f.kind === 'overload' && f.capacityFactor === undefined && f.queueLimit === undefined) {
      problems.push(`${at}: an overload needs capacityFactor and/or queueLimit`);
    }
  });
  const watch = doc.observe.watch;
  for (const [k, id] of (watch.ids ?? []).entries()) {
    if (id >= size) problems.push(`observe.watch.ids[${k}]: subscriber ${id} is outside the population (0 … ${size - 1})`);
  }
  return problems;
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

/** 'scenarios/learn/x.yaml' → 'learn/x'; elsewhere the base name. */
export function scenarioName(path: string): string {
  const abs = resolve(path);
  const parts = abs.split(sep);
  const at = parts.lastIndexOf('scenarios');
  const rel = at >= 0 ? parts.slice(at + 1).join('/') : basename(abs);
  return rel.replace(/\.ya?ml$/, '');
}

