import YAML from 'yaml';
import type { z } from 'zod';
import { formatPath } from './issues.ts';
import { fieldPathProblem, FORBIDDEN_SEGMENTS } from './field-path.ts';

/**
 * `--set path=value` on the raw scenario before validation. Paths are dotted, with [n] for list
 * items; a segment naming a list item's `id` selects it (`nodes.relay.workers=2`). The value is read
 * as YAML, so `5ms` stays a string and `3` is a number. Returns the problems found.
 *
 * With `schema`, a path must name the scenario's own fields (checked before anything is touched);
 * `__proto__`, `constructor` and `prototype` are refused always, and only own properties are walked.
 */
export function applyOverrides(doc: Record<string, unknown>, sets: readonly string[], schema?: z.ZodType): string[] {
  const problems: string[] = [];
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) {
      problems.push(`--set ${s}: expected path=value (e.g. --set network.defaults.delay=10ms)`);
      continue;
    }
    const path = s.slice(0, eq).trim();
    let value: unknown;
    try {
      value = YAML.parse(s.slice(eq + 1));
    } catch {
      value = s.slice(eq + 1);
    }
    const segs = splitPath(path);
    if (!segs) {
      problems.push(`--set ${path}: not a field path — use dotted names with [n] for list items (e.g. nodes[0].workers)`);
      continue;
    }
    const forbidden = segs.find((x) => typeof x === 'string' && FORBIDDEN_SEGMENTS.has(x));
    const wrong = forbidden !== undefined ? `'${forbidden}' is not a scenario field — overrides address the scenario's own fields only` : schema ? fieldPathProblem(schema, segs, doc) : undefined;
    if (wrong) {
      problems.push(`--set ${path}: ${wrong}`);
      continue;
    }
    let cur: unknown = doc;
    let ok = true;
    for (let i = 0; i < segs.length - 1 && ok; i++) {
      const next = child(cur, segs[i]);
      if (next === undefined) {
        if (cur && typeof cur === 'object' && !Array.isArray(cur) && typeof segs[i] === 'string') {
          const made = {};
          (cur as Record<string, unknown>)[segs[i] as string] = made;
          cur = made;
        } else {
          problems.push(`--set ${path}: '${formatPath(segs.slice(0, i + 1))}' does not exist in the scenario`);
          ok = false;
        }
      } else cur = next;
    }
    if (!ok) continue;
    const last = segs[segs.length - 1];
    if (Array.isArray(cur)) {
      const idx = typeof last === 'number' ? last : cur.findIndex((x) => x && typeof x === 'object' && (x as { id?: unknown }).id === last);
      if (idx < 0 || idx > cur.length) {
        problems.push(`--set ${path}: no list item '${last}' (the list has ${cur.length} items)`);
        continue;
      }
      cur[idx] = value;
    } else if (cur && typeof cur === 'object') {
      (cur as Record<string, unknown>)[String(last)] = value;
    } else {
      problems.push(`--set ${path}: the parent of '${String(last)}' is not an object`);
    }
  }
  return problems;
}

function splitPath(path: string): (string | number)[] | undefined {
  const segs: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) segs.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) segs.push(Number(idx[1]));
  }
  return segs.length ? segs : undefined;
}

function child(cur: unknown, seg: string | number): unknown {
  if (Array.isArray(cur)) {
    if (typeof seg === 'number') return cur[seg];
    return cur.find((x) => x && typeof x === 'object' && (x as { id?: unknown }).id === seg);
  }
  if (cur && typeof cur === 'object' && Object.hasOwn(cur, String(seg))) return (cur as Record<string, unknown>)[String(seg)];
  return undefined;
}
