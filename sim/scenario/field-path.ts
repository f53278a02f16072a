import type { z } from 'zod';
import { defOf, formatPath, unwrap } from './issues.ts';

/**
 * Names no override may use: they reach Object.prototype (issue 11 item 1: `--set __proto__.x=1`
 * polluted every object of the server). Refused whatever the schema says.
 */
export const FORBIDDEN_SEGMENTS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Checks an override path against the scenario schema before anything is touched: every segment
 * must name a field the schema has at that place (choosing a node type's or pattern kind's fields by
 * the document's data when it can, any branch's otherwise). Returns the problem, or undefined.
 */
export function fieldPathProblem(root: z.ZodType, segs: readonly (string | number)[], raw: unknown): string | undefined {
  let candidates: z.ZodType[] = [root];
  let data: unknown = raw;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    const here = formatPath(segs.slice(0, i)) || '(top level)';
    if (typeof seg === 'string' && FORBIDDEN_SEGMENTS.has(seg)) {
      return `'${seg}' is not a scenario field — overrides address the scenario's own fields only`;
    }
    const next: z.ZodType[] = [];
    const keys = new Set<string>();
    let open = false;
    for (const c of candidates.flatMap((s) => branches(s, data))) {
      const d = defOf(c);
      if (d.type === 'object' && d.shape) {
        Object.keys(d.shape).forEach((k) => keys.add(k));
        if (typeof seg === 'string' && Object.hasOwn(d.shape, seg)) next.push(d.shape[seg]);
      } else if (d.type === 'array' && d.element) next.push(d.element);
      else if (d.type === 'tuple' && d.items && typeof seg === 'number' && seg < d.items.length) next.push(d.items[seg]);
      else if (d.type === 'record' && d.valueType && typeof seg === 'string') next.push(d.valueType);
      else if (d.type === 'any' || d.type === 'unknown') open = true;
    }
    if (open && next.length === 0) return undefined;
    if (next.length === 0) {
      if (keys.size) return `no field '${seg}' at ${here} — allowed there: ${[...keys].join(', ')}`;
      return `${here} has no fields — it is a single value`;
    }
    candidates = next;
    data = data !== null && typeof data === 'object' ? childOf(data, seg) : undefined;
  }
  return undefined;
}

/** The structural schemas `s` may be: a discriminated union narrowed by the data's discriminator. */
function branches(s: z.ZodType, data: unknown): z.ZodType[] {
  const u = unwrap(s);
  const d = defOf(u);
  if (d.type !== 'union' || !d.options) return [u];
  if (d.discriminator && data !== null && typeof data === 'object') {
    const want = (data as Record<string, unknown>)[d.discriminator];
    const hit = d.options.find((o) => {
      const lit = defOf(unwrap(o)).shape?.[d.discriminator!];
      return lit && (defOf(lit) as { values?: unknown[] }).values?.includes(want);
    });
    if (hit) return [unwrap(hit)];
  }
  return d.options.flatMap((o) => branches(o, undefined));
}

function childOf(data: object, seg: string | number): unknown {
  if (Array.isArray(data)) return typeof seg === 'number' ? data[seg] : data.find((x) => x && typeof x === 'object' && (x as { id?: unknown }).id === seg);
  return Object.hasOwn(data, seg) ? (data as Record<string, unknown>)[seg as string] : undefined;
}
