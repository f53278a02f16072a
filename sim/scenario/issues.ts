import { z } from 'zod';

/**
 * Turns a schema issue into one line: the field path, what was wrong, and what is allowed there.
 * For unknown fields it lists the fields allowed at that place, read off the schema itself.
 */
export function describeIssue(issue: z.core.$ZodIssue, root: z.ZodType, raw: unknown): string {
  const path = formatPath(issue.path);
  const where = path || '(top level)';
  const value = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectKeysAt(root, issue.path, raw);
      const keys = issue.keys.map((k) => `'${k}'`).join(', ');
      return `${where}: unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}${allowed ? ` — allowed: ${allowed.join(', ')}` : ''}`;
    }
    case 'invalid_type': {
      if (value === undefined) return `${where}: required field is missing — expected ${issue.expected}`;
      return `${where}: expected ${issue.expected}, got ${show(value)}`;
    }
    case 'too_small': {
      const op = issue.inclusive === false ? '>' : '≥';
      if (issue.origin === 'array') return `${where}: needs at least ${issue.minimum} item(s)`;
      if (issue.origin === 'string') return `${where}: must not be empty`;
      return `${where}: ${show(value)} is too small — must be ${op} ${issue.minimum}`;
    }
    case 'too_big': {
      const op = issue.inclusive === false ? '<' : '≤';
      return `${where}: ${show(value)} is too large — must be ${op} ${issue.maximum}`;
    }
    case 'invalid_union': {
      const disc = (issue as { discriminator?: string; options?: unknown[] }).discriminator;
      const options = (issue as { options?: unknown[] }).options;
      if (disc && options) {
        const v = value;
        return v === undefined
          ? `${where}: required field is missing — one of: ${options.join(', ')}`
          : `${where}: ${show(v)} is not known — one of: ${options.join(', ')}`;
      }
      const target = schemaAt(root, issue.path, raw);
      const allowed = target ? describeAllowed(target) : undefined;
      if (value === undefined) return `${where}: required field is missing${allowed ? ` — expected ${allowed}` : ''}`;
      return `${where}: ${show(value)} is not allowed${allowed ? ` — expected ${allowed}` : ''}`;
    }
    case 'invalid_key': {
      const inner = (issue as { issues?: { message: string }[] }).issues?.[0]?.message;
      const key = issue.path.length ? String(issue.path[issue.path.length - 1]) : '';
      return `${where}: the key '${key}' is not allowed${inner ? ` — ${inner}` : ''}`;
    }
    case 'invalid_value':
      return `${where}: ${show(value)} is not allowed — one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `${where}: ${show(value)} — ${issue.message}`;
    case 'not_multiple_of':
      return `${where}: ${show(value)} must be a multiple of ${issue.divisor}`;
    case 'custom':
    default:
      return `${where}: ${issue.message}`;
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) {
    if (typeof p === 'number') s += `[${p}]`;
    else s += s ? `.${String(p)}` : String(p);
  }
  return s;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = raw;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p as string];
  }
  return cur;
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return `"${v}"`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

export type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  valueType?: z.ZodType;
  items?: z.ZodType[];
};

export function defOf(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips defaults, optionals and transforms down to the structural schema. */
export function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = defOf(s);
    if ((d.type === 'default' || d.type === 'optional' || d.type === 'nullable' || d.type === 'prefault') && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else return s;
  }
}

/** The allowed forms of a field, in words (what it may be, then what it is for). */
function describeAllowed(s: z.ZodType): string | undefined {
  const purpose = description(s);
  const inner = unwrap(s);
  let forms = description(inner);
  const d = defOf(inner);
  if (!forms && d.type === 'union' && d.options) {
    const list = d.options.map(describeForm).filter((f): f is string => f !== undefined);
    forms = list.length ? list.join(' or ') : undefined;
  }
  forms ??= describeForm(inner);
  if (forms && purpose && purpose !== forms) return `${forms} (${purpose})`;
  return forms ?? purpose;
}

function description(s: z.ZodType): string | undefined {
  return (z.globalRegistry.get(s) as { description?: string } | undefined)?.description;
}

function describeForm(s: z.ZodType): string | undefined {
  const desc = (z.globalRegistry.get(s) as { description?: string } | undefined)?.description;
  if (desc) return desc;
  const u = unwrap(s);
  const d = defOf(u) as Def & { values?: unknown[]; checks?: unknown[]; entries?: Record<string, unknown> };
  switch (d.type) {
    case 'literal':
      return (d.values ?? []).map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(' or ');
    case 'enum':
      return `one of ${Object.values(d.entries ?? {}).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'number': {
      const n = u as unknown as z.ZodNumber;
      const lo = n.minValue !== null && n.minValue > -Number.MAX_SAFE_INTEGER ? ` ≥ ${n.minValue}` : '';
      return `${n.isInt ? 'a whole number' : 'a number'}${lo}`;
    }
    case 'string':
      return 'text';
    case 'boolean':
      return 'true or false';
    default:
      return undefined;
  }
}

/** Walks the schema along the path (choosing union branches by the data) to the schema there. */
function schemaAt(root: z.ZodType, path: readonly PropertyKey[], raw: unknown): z.ZodType | undefined {
  let s: z.ZodType = root;
  let data: unknown = raw;
  for (const p of path) {
    let u = unwrap(s);
    let d = defOf(u);
    if (d.type === 'union' && d.options && d.discriminator && data && typeof data === 'object') {
      const want = (data as Record<string, unknown>)[d.discriminator];
      const hit = d.options.find((o) => {
        const lit = defOf(unwrap(o)).shape?.[d.discriminator!];
        return lit && (defOf(lit) as { values?: unknown[] }).values?.includes(want);
      });
      if (!hit) return undefined;
      u = unwrap(hit);
      d = defOf(u);
    }
    let next: z.ZodType | undefined;
    if (d.type === 'object' && d.shape) next = d.shape[p as string];
    else if (d.type === 'array' && d.element) next = d.element;
    else if (d.type === 'record' && d.valueType) next = d.valueType;
    else if (d.type === 'tuple' && d.items) next = d.items[p as number];
    if (!next) return undefined;
    s = next;
    data = data && typeof data === 'object' ? (data as Record<PropertyKey, unknown>)[p as string] : undefined;
  }
  return s;
}

/** Walks the schema along the path (choosing union branches by the data) to the object there. */
function objectKeysAt(root: z.ZodType, path: readonly PropertyKey[], raw: unknown): string[] | undefined {
  let s = unwrap(root);
  let data: unknown = raw;
  const resolveUnion = () => {
    const d = defOf(s);
    if (d.type !== 'union' || !d.options) return;
    if (d.discriminator && data && typeof data === 'object') {
      const want = (data as Record<string, unknown>)[d.discriminator];
      const hit = d.options.find((o) => {
        const od = defOf(unwrap(o));
        const lit = od.shape?.[d.discriminator!];
        return lit && (defOf(lit) as { values?: unknown[] }).values?.includes(want);
      });
      if (hit) s = unwrap(hit);
    }
  };
  resolveUnion();
  for (const p of path) {
    const d = defOf(s);
    if (d.type === 'object' && d.shape) {
      const next = d.shape[p as string];
      if (!next) return undefined;
      s = unwrap(next);
    } else if (d.type === 'array' && d.element) {
      s = unwrap(d.element);
    } else if (d.type === 'record' && d.valueType) {
      s = unwrap(d.valueType);
    } else if (d.type === 'tuple' && d.items) {
      s = unwrap(d.items[p as number]);
    } else return undefined;
    data = data && typeof data === 'object' ? (data as Record<PropertyKey, unknown>)[p as string] : undefined;
    resolveUnion();
  }
  const d = defOf(s);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : undefined;
}
