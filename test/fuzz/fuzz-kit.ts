/**
 * The fuzz kit: a seeded PRNG, mutators for text / bytes / JSON values / YAML text, a case count scaled by
 * an environment variable, a per-case time bound and a summary of cases and time.
 *
 * Deterministic: case i of target T draws from its own stream, seeded from (REGLAB_FUZZ_SEED, T, i), so a
 * failure names the seed and index that reproduce it alone (`REGLAB_FUZZ_ONLY=T:i`).
 *
 * Time bounds are on CPU time (cpuMs), which a shared, loaded machine disturbs far less than wall time.
 *
 * Environment (set by `npm run fuzz`, unset under `npm test`):
 *   REGLAB_FUZZ_SCALE   multiplies each target's small case count (default 1; `npm run fuzz` uses 100)
 *   REGLAB_FUZZ_SEED    base seed (default 20261207)
 *   REGLAB_FUZZ_CASE_MS per-case time bound override in ms (default: the target's own bound)
 *   REGLAB_FUZZ_ONLY    `target:index` replays one case
 *   REGLAB_FUZZ_REPORT  a file to which each target appends its summary as one JSON line
 *
 * Usage:
 *   const s = await runFuzz({ name: 'sip-parser', cases: 300, timeBoundMs: 50,
 *     generate: (rng) => mutateText(rng, pick(rng, SEEDS)),
 *     check: (input) => { ...throw on a property violation... } });
 *   // runFuzz throws an AssertionError listing the failing cases (seed + index + input excerpt).
 */
import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { AssertionError } from 'node:assert';
import { RandomStream } from '../../sim/kernel/random.ts';

// ---------------------------------------------------------------------------------------------------
// Seeded PRNG: the kernel's sfc32 RandomStream (one generator in the project), named by the case.

export class Prng {
  private readonly s: RandomStream;
  constructor(seed: number | string) {
    this.s = new RandomStream(0, String(seed));
  }
  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    return this.s.nextUint32();
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.float() * n);
  }
  /** Uniform integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  /** A size skewed towards small values but sometimes large (fuzzers find more with both). */
  size(max: number): number {
    const r = this.float();
    if (r < 0.6) return this.int(Math.min(max, 8) + 1);
    if (r < 0.9) return this.int(Math.min(max, 256) + 1);
    return this.int(max + 1);
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

export function pick<T>(rng: Prng, xs: readonly T[]): T {
  if (xs.length === 0) throw new Error('pick from an empty list');
  return xs[rng.int(xs.length)]!;
}

// ---------------------------------------------------------------------------------------------------
// Scale, seed, time bound.

const env = process.env;
function envNumber(name: string, dflt: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${v}: expected a positive number`);
  return n;
}

/** The case-count multiplier: 1 under `npm test`, larger under `npm run fuzz`. */
export const FUZZ_SCALE = envNumber('REGLAB_FUZZ_SCALE', 1);
export const FUZZ_SEED = String(env.REGLAB_FUZZ_SEED ?? '20261207');
/** True when running large (`npm run fuzz`): targets may add expensive cases only then. */
export const FUZZ_LARGE = FUZZ_SCALE > 1;

/** A target's case count: its small count (what `npm test` runs) times the scale. */
export function caseCount(small: number): number {
  return Math.max(1, Math.round(small * FUZZ_SCALE));
}

/** The stream for case `index` of target `name`: independent of every other case. A replay test of a case a large run found passes its `seed`. */
export function caseRng(name: string, index: number, seed: string = FUZZ_SEED): Prng {
  return new Prng(`${seed}/${name}/${index}`);
}

// ---------------------------------------------------------------------------------------------------
// Mutators.

/** Characters and tokens that break parsers more often than random ones. */
export const INTERESTING_CHARS = [
  '\0', '\r', '\n', '\r\n', '\t', ' ', '\x7f', '\x1b', '\u00ff', '\u00e9', '\u2028', '\ufeff', '\ud800', '\uffff',
  '\u{1f600}', '%', '%00', '%zz', '"', "'", '\\', '<', '>', ':', ';', ',', '=', '@', '[', ']', '{', '}', '/', '?',
  '#', '&', '*', '!', '|', '`', '$', '-', '.', '0', '-1', '9999999999', '1e400', 'NaN',
];

function randomChar(rng: Prng): string {
  const r = rng.float();
  if (r < 0.5) return String.fromCharCode(rng.range(0x20, 0x7e));
  if (r < 0.8) return pick(rng, INTERESTING_CHARS);
  if (r < 0.9) return String.fromCharCode(rng.int(0x20));
  return String.fromCodePoint(rng.range(0x80, 0x10ffff) & ~0x800 /* stay off the surrogate block */ || 0x80);
}

export interface TextMutateOptions {
  /** Domain tokens to insert (header names, keywords): the mutator splices them in at random. */
  dictionary?: readonly string[];
  /** The longest string a mutation may produce (repetitions stop there). Default 70,000. */
  maxLength?: number;
  /** How many mutations to stack (default 1–4). */
  rounds?: number;
}

/** One random edit of a string: delete / insert / replace / duplicate / repeat / swap / truncate / splice. */
export function mutateTextOnce(rng: Prng, s: string, opts: TextMutateOptions = {}): string {
  const max = opts.maxLength ?? 70_000;
  const at = () => rng.int(s.length + 1);
  const span = (from: number) => Math.min(s.length - from, rng.size(64));
  const op = rng.int(opts.dictionary?.length ? 10 : 9);
  switch (op) {
    case 0: {
      // delete a span
      const i = at();
      return s.slice(0, i) + s.slice(i + span(i));
    }
    case 1: {
      // insert random characters
      const i = at();
      let ins = '';
      for (let k = rng.range(1, 4); k > 0; k--) ins += randomChar(rng);
      return s.slice(0, i) + ins + s.slice(i);
    }
    case 2: {
      // replace one character
      const i = rng.int(s.length);
      return s.slice(0, i) + randomChar(rng) + s.slice(i + 1);
    }
    case 3: {
      // duplicate a span in place
      const i = at();
      const n = span(i);
      return s.slice(0, i + n) + s.slice(i, i + n) + s.slice(i + n);
    }
    case 4: {
      // repeat a short span many times: the amplification / quadratic-cost probe
      const i = at();
      const n = Math.max(1, Math.min(s.length - i, rng.range(1, 8)));
      const unit = s.slice(i, i + n) || randomChar(rng);
      const times = Math.max(1, Math.min(rng.chance(0.3) ? 10_000 : rng.range(2, 100), Math.floor((max - s.length) / unit.length)));
      return s.slice(0, i) + unit.repeat(times) + s.slice(i);
    }
    case 5: {
      // swap two spans
      const i = at();
      const j = at();
      const [a, b] = i < j ? [i, j] : [j, i];
      const n = Math.min(span(a), b - a);
      const m = Math.min(span(b), s.length - b);
      return s.slice(0, a) + s.slice(b, b + m) + s.slice(a + n, b) + s.slice(a, a + n) + s.slice(b + m);
    }
    case 6:
      // truncate
      return s.slice(0, at());
    case 7: {
      // change case of a span
      const i = at();
      const n = span(i);
      const part = s.slice(i, i + n);
      return s.slice(0, i) + (rng.chance(0.5) ? part.toUpperCase() : part.toLowerCase()) + s.slice(i + n);
    }
    case 8: {
      // splice in an interesting token
      const i = at();
      return s.slice(0, i) + pick(rng, INTERESTING_CHARS) + s.slice(i);
    }
    default: {
      // splice in a dictionary token
      const i = at();
      return s.slice(0, i) + pick(rng, opts.dictionary!) + s.slice(i);
    }
  }
}

/** Stack 1–4 (or opts.rounds) text mutations; the result never exceeds opts.maxLength. */
export function mutateText(rng: Prng, s: string, opts: TextMutateOptions = {}): string {
  const max = opts.maxLength ?? 70_000;
  let out = s;
  for (let k = opts.rounds ?? rng.range(1, 4); k > 0; k--) out = mutateTextOnce(rng, out, opts);
  return out.length > max ? out.slice(0, max) : out;
}

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe, 0xc0, 0xc1, 0xe0, 0xed, 0xf0, 0xf4, 0xf8, 0x0d, 0x0a, 0x20, 0x09, 0x3a];

/** Stack 1–4 byte-level mutations: bit flips, interesting bytes, insert/delete/duplicate spans, truncate. */
export function mutateBytes(rng: Prng, input: Uint8Array, opts: { maxLength?: number; rounds?: number } = {}): Uint8Array {
  const max = opts.maxLength ?? 70_000;
  let b = input;
  for (let k = opts.rounds ?? rng.range(1, 4); k > 0; k--) {
    const i = rng.int(b.length + 1);
    switch (rng.int(6)) {
      case 0:
        if (b.length) {
          b = b.slice();
          const j = Math.min(i, b.length - 1);
          b[j] = b[j]! ^ (1 << rng.int(8));
        }
        break;
      case 1:
        if (b.length) {
          b = b.slice();
          b[Math.min(i, b.length - 1)] = pick(rng, INTERESTING_BYTES);
        }
        break;
      case 2: {
        const ins = rng.chance(0.5) ? rng.bytes(rng.range(1, 8)) : Uint8Array.of(pick(rng, INTERESTING_BYTES));
        b = concat(b.subarray(0, i), ins, b.subarray(i));
        break;
      }
      case 3:
        b = concat(b.subarray(0, i), b.subarray(Math.min(b.length, i + rng.size(64))));
        break;
      case 4: {
        const n = Math.min(b.length - i, rng.size(64));
        b = concat(b.subarray(0, i + n), b.subarray(i, i + n), b.subarray(i + n));
        break;
      }
      default:
        b = b.subarray(0, i);
    }
  }
  return b.length > max ? b.subarray(0, max) : b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Values that break schemas and handlers: wrong types, extremes, prototype keys' values, huge strings. */
export const INTERESTING_VALUES: readonly unknown[] = [
  null, true, false, 0, -1, 1, 0.5, -0, 1e308, -1e308, 2 ** 53, 2 ** 31, 1e15, '', ' ', '0', '-1', '1e999',
  'NaN', 'Infinity', '__proto__', 'constructor', '../../../../etc/passwd', '/dev/zero', '%s%n', '\u0000',
  'x'.repeat(10_000), [], [null], {}, { __proto__: null }, [[[[[]]]]],
];
/** Keys that break object handling (prototype pollution, shadowing). */
export const INTERESTING_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', ' ', 'a.b', '0', '-1', '\u0000'];

export interface JsonMutateOptions {
  /** Field names of the domain to add or rename to (schema keys), besides INTERESTING_KEYS. */
  keys?: readonly string[];
  /** Values of the domain to drop in, besides INTERESTING_VALUES. */
  values?: readonly unknown[];
  rounds?: number;
}

/**
 * Stack 1–4 structure-aware mutations on a JSON-like value (never mutates the input): replace a node with an
 * interesting value, delete a key or element, add a key (including `__proto__` as an own key), change a
 * number's magnitude, a string by mutateText, wrap a node in an array, nest deeply, duplicate an element.
 */
export function mutateJson(rng: Prng, value: unknown, opts: JsonMutateOptions = {}): unknown {
  let root: unknown = structuredClone(value);
  for (let k = opts.rounds ?? rng.range(1, 4); k > 0; k--) root = mutateJsonOnce(rng, root, opts);
  return root;
}

function mutateJsonOnce(rng: Prng, root: unknown, opts: JsonMutateOptions): unknown {
  // Collect every node with its parent, then edit one.
  const nodes: { parent: any; key: string | number | null; v: unknown }[] = [{ parent: null, key: null, v: root }];
  for (let i = 0; i < nodes.length && nodes.length < 5000; i++) {
    const v = nodes[i]!.v;
    if (Array.isArray(v)) v.forEach((x, j) => nodes.push({ parent: v, key: j, v: x }));
    else if (v && typeof v === 'object') for (const key of Object.keys(v)) nodes.push({ parent: v, key, v: (v as any)[key] });
  }
  const n = pick(rng, nodes);
  const set = (nv: unknown) => {
    if (n.parent === null) return nv;
    if (Array.isArray(n.parent)) n.parent[n.key as number] = nv;
    else Object.defineProperty(n.parent, n.key as string, { value: nv, enumerable: true, writable: true, configurable: true });
    return root;
  };
  const vals = opts.values?.length && rng.chance(0.5) ? opts.values : INTERESTING_VALUES;
  const keys = opts.keys?.length && rng.chance(0.6) ? opts.keys : INTERESTING_KEYS;
  switch (rng.int(8)) {
    case 0:
      return set(structuredClone(pick(rng, vals)));
    case 1:
      if (n.parent === null) return root;
      if (Array.isArray(n.parent)) n.parent.splice(n.key as number, 1);
      else delete n.parent[n.key as string];
      return root;
    case 2: {
      // add a key to an object node (own property, even for __proto__)
      const obj = nodes.filter((x) => x.v && typeof x.v === 'object' && !Array.isArray(x.v));
      if (!obj.length) return set({ [pick(rng, keys)]: pick(rng, vals) });
      const target = pick(rng, obj).v as object;
      Object.defineProperty(target, pick(rng, keys), { value: structuredClone(pick(rng, vals)), enumerable: true, writable: true, configurable: true });
      return root;
    }
    case 3:
      if (typeof n.v === 'number') return set(pick(rng, [n.v * 1e6, -n.v, n.v + 0.5, Math.floor(n.v / 1e6), 1e12, -1]));
      if (typeof n.v === 'string') return set(mutateText(rng, n.v, { maxLength: 4096 }));
      return set(n.v !== null && typeof n.v === 'object' ? JSON.stringify(n.v) : String(n.v));
    case 4:
      return set([n.v]);
    case 5: {
      let v: unknown = n.v;
      for (let d = rng.range(10, 200); d > 0; d--) v = rng.chance(0.5) ? [v] : { a: v };
      return set(v);
    }
    case 6:
      if (Array.isArray(n.v) && n.v.length) {
        const copies = rng.chance(0.2) ? 1000 : rng.range(1, 10);
        for (let c = 0; c < copies; c++) n.v.push(structuredClone(n.v[rng.int(n.v.length)]));
        return root;
      }
      return set(typeof n.v === 'string' ? Number(n.v) : JSON.stringify(n.v) ?? null);
    default: {
      // rename a key
      if (n.parent === null || Array.isArray(n.parent)) return root;
      const v = n.parent[n.key as string];
      delete n.parent[n.key as string];
      Object.defineProperty(n.parent, pick(rng, keys), { value: v, enumerable: true, writable: true, configurable: true });
      return root;
    }
  }
}

/** YAML-specific tokens: anchors and aliases, tags, merge keys, flow collections, documents, tabs. */
export const YAML_TOKENS = [
  '&a ', '*a', '<<: *a\n', '!!str ', '!!int ', '!!binary ', '!!js/function ', '!custom ', '---\n', '...\n', '\t', '  ', '    ',
  '? ', ': ', '- ', '{', '}', '[', ']', '|\n', '>-\n', '"', "'", '#', '%YAML 1.1\n', '~', 'null', 'yes', 'no', '0x10', '0o7',
  '.inf', '-.nan', '1e999', '2001-12-14t21:59:43.10-05:00', '__proto__: {polluted: 1}\n', 'constructor:\n  prototype: 1\n',
];

/**
 * Mutate YAML text: half the time structurally (parse with the caller's parser, mutateJson, render as
 * JSON-flow YAML, which YAML reads), half the time textually with YAML tokens spliced in.
 * `parse` is passed in so the kit stays free of the yaml dependency (pass `YAML.parse`).
 * Either way the text is at most YAML_MAX_LENGTH characters (a structural result beyond it is cut there:
 * nested duplication can render megabytes, and the yaml parser's cost, ~2.5 µs of CPU a character of
 * flow text, is then the library's speed, not a finding; scale-100 case scenario-loader:5150, 338 KB).
 */
export function mutateYaml(rng: Prng, text: string, parse: (s: string) => unknown, opts: JsonMutateOptions = {}): string {
  if (rng.chance(0.5)) {
    try {
      const v = mutateJson(rng, parse(text), opts);
      return (JSON.stringify(v, null, rng.chance(0.5) ? 2 : undefined) ?? 'null').slice(0, YAML_MAX_LENGTH);
    } catch {
      // fall through to a textual mutation
    }
  }
  return mutateText(rng, text, { dictionary: YAML_TOKENS, maxLength: YAML_MAX_LENGTH, rounds: opts.rounds });
}

/** The longest text mutateYaml returns. */
export const YAML_MAX_LENGTH = 200_000;

// ---------------------------------------------------------------------------------------------------
// The runner.

export interface FuzzTarget<I> {
  /** Names the target in reproducers and the summary (e.g. 'sip-parser'). */
  name: string;
  /** Cases under `npm test` (scaled by REGLAB_FUZZ_SCALE): keep a target's small run well under a second. */
  cases: number;
  /**
   * Each case's time bound in ms of CPU time (this process's user + system time, generation
   * excluded; REGLAB_FUZZ_CASE_MS overrides). CPU time, not wall time: the machines that run the
   * suite are shared, and a loaded machine stretches wall time tenfold while the work is the same.
   */
  timeBoundMs: number;
  /** Builds case `index`'s input from its own stream. */
  generate: (rng: Prng, index: number) => I;
  /** Runs the code under test; throws (or rejects) on a crash or a property violation. */
  check: (input: I, rng: Prng, index: number) => void | Promise<void>;
  /** Renders an input for the failure report (default: JSON, cut to 300 chars). */
  show?: (input: I) => string;
  /** Stop after this many failures (default 10). */
  maxFailures?: number;
}

export interface FuzzFailure {
  index: number;
  reason: string;
  input: string;
  ms: number;
}

export interface FuzzSummary {
  name: string;
  seed: string;
  scale: number;
  cases: number;
  failures: FuzzFailure[];
  /** CPU time in check() summed over all cases; wall time of the whole run (with generation). */
  checkMs: number;
  totalMs: number;
  /** The largest CPU time of one case. */
  maxCaseMs: number;
  slowestIndex: number;
  timeBoundMs: number;
}

function defaultShow(x: unknown): string {
  let s: string;
  if (x instanceof Uint8Array) s = Buffer.from(x.subarray(0, 300)).toString('latin1');
  else if (typeof x === 'string') s = x;
  else {
    try {
      s = JSON.stringify(x) ?? String(x);
    } catch {
      s = String(x);
    }
  }
  return JSON.stringify(s.length > 300 ? s.slice(0, 300) + `…(${s.length} chars)` : s);
}

/** A thrown value as one reason: its message, and for a crash (not an assertion) where it was thrown. */
function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e).slice(0, 2000);
  const text = `${e.name}: ${e.message}`.slice(0, 2000);
  if (e.name === 'AssertionError' || !e.stack) return text;
  const frames = e.stack.split('\n').filter((l) => l.trimStart().startsWith('at ')).slice(0, 4);
  return `${text}\n${frames.join('\n')}`;
}

/** CPU time of this process in ms (user + system). */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs every case, then throws an AssertionError naming the failures (if any); returns the summary. */
export async function runFuzz<I>(t: FuzzTarget<I>): Promise<FuzzSummary> {
  const summary = await runFuzzCollect(t);
  reportSummary(summary);
  if (summary.failures.length) {
    const lines = summary.failures.map(
      (f) => `  case ${f.index} (${f.ms.toFixed(1)} ms): ${f.reason}\n    replay: REGLAB_FUZZ_SEED=${summary.seed} REGLAB_FUZZ_ONLY=${t.name}:${f.index}\n    input: ${f.input}`,
    );
    throw new AssertionError({ message: `fuzz ${t.name}: ${summary.failures.length} failing case(s) of ${summary.cases}\n${lines.join('\n')}` });
  }
  return summary;
}

/** Like runFuzz but never throws: for tests that assert on the summary themselves. */
export async function runFuzzCollect<I>(t: FuzzTarget<I>): Promise<FuzzSummary> {
  const bound = env.REGLAB_FUZZ_CASE_MS ? envNumber('REGLAB_FUZZ_CASE_MS', t.timeBoundMs) : t.timeBoundMs;
  const only = env.REGLAB_FUZZ_ONLY?.split(':');
  const indexes: number[] = [];
  if (only && only[0] === t.name) indexes.push(Number(only[1]));
  else if (!only) for (let i = 0; i < caseCount(t.cases); i++) indexes.push(i);
  const failures: FuzzFailure[] = [];
  const maxFailures = t.maxFailures ?? 10;
  const show = t.show ?? defaultShow;
  let checkMs = 0;
  let maxCaseMs = 0;
  let slowestIndex = -1;
  const start = performance.now();
  for (const i of indexes) {
    const rng = caseRng(t.name, i);
    let input: I;
    try {
      input = t.generate(rng, i);
    } catch (e) {
      failures.push({ index: i, reason: `generator threw: ${(e as Error)?.stack ?? e}`, input: '', ms: 0 });
      if (failures.length >= maxFailures) break;
      continue;
    }
    const t0 = cpuMs();
    let reason: string | null = null;
    try {
      await t.check(input, rng, i);
    } catch (e) {
      reason = describeError(e);
    }
    const ms = cpuMs() - t0;
    checkMs += ms;
    if (ms > maxCaseMs) {
      maxCaseMs = ms;
      slowestIndex = i;
    }
    if (reason === null && ms > bound) reason = `took ${ms.toFixed(1)} ms of CPU, over its ${bound} ms bound`;
    if (reason !== null) {
      failures.push({ index: i, reason, input: show(input), ms });
      if (failures.length >= maxFailures) break;
    }
  }
  return {
    name: t.name,
    seed: FUZZ_SEED,
    scale: FUZZ_SCALE,
    cases: indexes.length,
    failures,
    checkMs,
    totalMs: performance.now() - start,
    maxCaseMs,
    slowestIndex,
    timeBoundMs: bound,
  };
}

/** One line per target on stderr (shown with REGLAB_TEST_VERBOSE or under `npm run fuzz`), and a JSON line to REGLAB_FUZZ_REPORT. */
export function reportSummary(s: FuzzSummary): void {
  process.stderr.write(`${formatSummary(s)}\n`);
  if (env.REGLAB_FUZZ_REPORT) {
    const { failures, ...rest } = s;
    appendFileSync(env.REGLAB_FUZZ_REPORT, JSON.stringify({ ...rest, failures: failures.length }) + '\n');
  }
}

export function formatSummary(s: FuzzSummary): string {
  return (
    `fuzz ${s.name}: ${s.cases} cases, ${s.failures.length} failing, ${(s.totalMs / 1000).toFixed(2)} s wall ` +
    `(check ${(s.checkMs / 1000).toFixed(2)} s CPU, slowest case ${s.maxCaseMs.toFixed(1)} ms CPU #${s.slowestIndex}, bound ${s.timeBoundMs} ms), seed ${s.seed}, scale ${s.scale}`
  );
}
