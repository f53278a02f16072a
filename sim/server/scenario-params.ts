/**
 * What the dashboard's parameter form, Compare, Sweep and Policies views need to know about one
 * scenario before anything runs: its variants, suggested sweeps, compare: question, and the
 * parameters worth editing, each described from the scenario's JSON Schema (type, unit, allowed
 * values, current value). One source for each fact: the schema (sim/scenario/schema.ts) says what a
 * field is, the file says what it holds; nothing here restates either.
 */
import { readFile } from 'node:fs/promises';
import YAML from 'yaml';
import { scenarioJsonSchema } from '../scenario/schema.ts';
import { BANDWIDTH_HELP, DURATION_HELP, PROBABILITY_HELP, RATE_HELP } from '../scenario/units.ts';
import { loadScenarioText, ScenarioError } from '../scenario/load.ts';
import type { ParamField, ParamSource, ScenarioDetails, ValidateResult } from './campaign-types.ts';

type Json = Record<string, unknown>;

let SCHEMA: Json | undefined;
function schema(): Json {
  SCHEMA ??= scenarioJsonSchema() as Json;
  return SCHEMA;
}

/** Dotted path with [n] items → segments (the --set syntax of sim/scenario/overrides.ts). */
export function splitSetPath(path: string): (string | number)[] | undefined {
  const segs: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) segs.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) segs.push(Number(idx[1]));
  }
  return segs.length ? segs : undefined;
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The raw value at a path; a string segment inside a list selects the item with that id. */
function valueAt(raw: unknown, segs: readonly (string | number)[]): unknown {
  let cur = raw;
  for (const s of segs) {
    if (Array.isArray(cur)) cur = typeof s === 'number' ? cur[s] : cur.find((x) => isObj(x) && x.id === s);
    else if (isObj(cur)) cur = cur[String(s)];
    else return undefined;
  }
  return cur;
}

/**
 * The JSON Schema node describing `segs`, following properties, additionalProperties, items and
 * the one branch of a oneOf/anyOf that fits the raw value (a node's `type`, a fault's `kind`).
 */
export function schemaAt(root: Json, raw: unknown, segs: readonly (string | number)[]): Json | undefined {
  let node: Json | undefined = root;
  let value = raw;
  for (const seg of segs) {
    node = pickBranch(node, value);
    if (!node) return undefined;
    if (node.type === 'array' || Array.isArray(value)) {
      node = isObj(node.items) ? (node.items as Json) : undefined;
      value = Array.isArray(value) ? (typeof seg === 'number' ? value[seg] : value.find((x) => isObj(x) && x.id === seg)) : undefined;
    } else {
      const props = isObj(node.properties) ? (node.properties as Json) : {};
      node = isObj(props[String(seg)]) ? (props[String(seg)] as Json) : isObj(node.additionalProperties) ? (node.additionalProperties as Json) : undefined;
      value = isObj(value) ? value[String(seg)] : undefined;
    }
    if (!node) return undefined;
  }
  return pickBranch(node, value) ?? node;
}

/** For a oneOf/anyOf of objects: the branch whose const discriminator matches the value. */
function pickBranch(node: Json | undefined, value: unknown): Json | undefined {
  if (!node) return undefined;
  const branches = (node.oneOf ?? node.anyOf) as Json[] | undefined;
  if (!Array.isArray(branches)) return node;
  const objects = branches.filter((b) => b.type === 'object');
  if (objects.length === 0) return node;
  if (isObj(value)) {
    for (const b of objects) {
      const props = (b.properties ?? {}) as Record<string, Json>;
      const disc = Object.entries(props).find(([, p]) => p && 'const' in p);
      if (disc && value[disc[0]] === disc[1].const) return b;
    }
  }
  return objects.length === 1 ? objects[0] : node;
}

/**
 * A unit field whose own description replaced the unit help in the JSON Schema (type
 * ["string","number"]): which unit, from the value it holds or what the description says it is.
 */
function unitFromValue(value: unknown, description: string | undefined): string | undefined {
  const v = typeof value === 'string' ? value.trim() : '';
  if (/bit\/s$|^unlimited$/.test(v)) return `a bandwidth: ${BANDWIDTH_HELP}`;
  if (/\/(s|min|h)$/.test(v)) return `a rate: ${RATE_HELP}`;
  if (/%$/.test(v) || /share|probabilit|loss/i.test(description ?? '')) return `a probability: ${PROBABILITY_HELP}`;
  if (/(ns|us|ms|s|min|h)$/.test(v) || /time|wait|delay|timeout|interval|window|duration/i.test(description ?? '')) return `a duration: ${DURATION_HELP}`;
  return undefined;
}

/** A schema node (and the value the file holds) → the form's description of the field. */
export function describeField(node: Json | undefined, value?: unknown): Pick<ParamField, 'type' | 'allowed' | 'unit' | 'description' | 'min' | 'max'> {
  if (!node) return { type: 'string' };
  const description = typeof node.description === 'string' ? node.description : undefined;
  if (Array.isArray(node.type) && node.type.includes('string') && node.type.includes('number')) {
    const unit = unitFromValue(value, description);
    if (unit) return { type: 'unit', unit, ...(description && !description.startsWith(unit.split(':')[0]!) ? { description } : {}) };
  }
  const branches = (node.anyOf ?? node.oneOf) as Json[] | undefined;
  const consts = Array.isArray(branches) ? branches.filter((b) => 'const' in b).map((b) => String(b.const)) : [];
  if (Array.isArray(node.enum)) return { type: 'enum', allowed: node.enum.map(String), description };
  // "a duration: …" / "a probability: …": the unit help is the description's head (sim/scenario/fields.ts).
  const unit = description && /^(a duration|a bandwidth|a rate|a probability)\b/.test(description.replace(/^.* — /, '')) ? description.replace(/^.* — /, '') : undefined;
  const numeric = Array.isArray(branches) ? branches.find((b) => b.type === 'integer' || b.type === 'number') : node;
  const t = numeric?.type;
  const min = typeof numeric?.minimum === 'number' ? numeric.minimum : undefined;
  const max = typeof numeric?.maximum === 'number' && numeric.maximum < Number.MAX_SAFE_INTEGER ? numeric.maximum : undefined;
  if (unit) return { type: 'unit', unit, description };
  if (t === 'integer') return { type: 'integer', description, min, max, ...(consts.length ? { allowed: consts } : {}) };
  if (t === 'number') return { type: 'number', description, min, max };
  if (node.type === 'boolean') return { type: 'boolean', allowed: ['true', 'false'], description };
  return { type: 'string', description };
}

const SET_IN_TEXT = /--(?:set|vary)\s+'?([A-Za-z][A-Za-z0-9_.\-[\]]*)=/g;

/** Paths worth a field in the form, with where each came from, first source wins. */
export function suggestedPaths(raw: Json): { path: string; source: ParamSource }[] {
  const out = new Map<string, ParamSource>();
  const add = (path: string, source: ParamSource) => {
    if (splitSetPath(path) && !out.has(path)) out.set(path, source);
  };
  add('population.size', 'common');
  if (typeof raw.description === 'string') for (const m of raw.description.matchAll(SET_IN_TEXT)) add(m[1]!, 'description');
  if (isObj(raw.compare) && typeof raw.compare.policy === 'string') add(raw.compare.policy, 'compare');
  if (isObj(raw.sweeps)) for (const p of Object.keys(raw.sweeps)) add(p, 'sweeps');
  if (isObj(raw.variants)) {
    for (const sets of Object.values(raw.variants)) {
      if (Array.isArray(sets)) for (const s of sets) if (typeof s === 'string' && s.indexOf('=') > 0) add(s.slice(0, s.indexOf('=')).trim(), 'variants');
    }
  }
  // Loss and trigger times: the knobs a failure question turns first.
  if (isObj(raw.network) && isObj(raw.network.defaults) && 'loss' in raw.network.defaults) add('network.defaults.loss', 'common');
  if (Array.isArray(raw.faults)) {
    raw.faults.forEach((f, i) => {
      if (!isObj(f)) return;
      if ('probability' in f) add(`faults[${i}].probability`, 'faults');
      if ('at' in f) add(`faults[${i}].at`, 'faults');
    });
  }
  if (Array.isArray(raw.workload)) {
    raw.workload.forEach((w, i) => {
      if (isObj(w) && isObj(w.pattern) && 'at' in w.pattern) add(`workload[${i}].pattern.at`, 'workload');
    });
  }
  return [...out].map(([path, source]) => ({ path, source }));
}

function show(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The scenario as the dashboard's forms see it. Throws ScenarioError when the YAML is unreadable. */
export function scenarioDetails(path: string, text: string): ScenarioDetails {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new ScenarioError(path, [`YAML syntax: ${(e as Error).message.split('\n')[0]}`]);
  }
  if (!isObj(raw)) throw new ScenarioError(path, ['(top level): expected a mapping of fields']);
  const root = schema();
  const params: ParamField[] = suggestedPaths(raw).map(({ path: p, source }) => {
    const segs = splitSetPath(p)!;
    const node = schemaAt(root, raw, segs);
    const value = show(valueAt(raw, segs)) ?? show(node?.default);
    return { path: p, source, ...describeField(node, valueAt(raw, segs) ?? node?.default), ...(value !== undefined ? { value } : {}) };
  });
  const variants: Record<string, string[]> = {};
  if (isObj(raw.variants)) for (const [k, v] of Object.entries(raw.variants)) if (Array.isArray(v)) variants[k] = v.map(String);
  const sweeps: Record<string, string[]> = {};
  if (isObj(raw.sweeps)) for (const [k, v] of Object.entries(raw.sweeps)) if (Array.isArray(v)) sweeps[k] = v.map(String);
  const c = isObj(raw.compare) ? raw.compare : undefined;
  return {
    path,
    description: typeof raw.description === 'string' ? raw.description.trim() : '',
    seed: typeof raw.seed === 'number' ? raw.seed : 1,
    variants,
    sweeps,
    ...(c && typeof c.policy === 'string' && Array.isArray(c.values)
      ? {
          compare: {
            policy: c.policy,
            values: c.values.map(String),
            seeds: typeof c.seeds === 'number' ? c.seeds : 5,
            ...(Array.isArray(c.metrics) ? { metrics: c.metrics.map(String) } : {}),
          },
        }
      : {}),
    params,
  };
}

/** Reads the file for scenarioDetails. */
export async function readScenarioDetails(file: string, path: string): Promise<ScenarioDetails> {
  return scenarioDetails(path, await readFile(file, 'utf8'));
}

/**
 * Validates overrides exactly as `reglab run --set …` does (the same loader, the same messages),
 * without running anything.
 */
export interface ValidateRequest {
  file: string;
  /** The scenario path the client named (quoted back in the message). */
  path: string;
  sets: string[];
  seed?: number;
  /** The folder referenced files must lie in (`reglab serve --data-dir`). */
  dataDir?: string;
}

export async function validateOverrides({ file, path, sets, seed, dataDir }: ValidateRequest): Promise<ValidateResult> {
  const text = await readFile(file, 'utf8');
  try {
    loadScenarioText(text, file, { set: sets, seed, ...(dataDir ? { dataDir } : {}) });
    return { ok: true };
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return { ok: false, code: e.code, message: `${path}: ${e.problems.length} problem${e.problems.length === 1 ? '' : 's'}`, problems: e.problems };
  }
}
