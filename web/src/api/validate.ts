/**
 * Shape checks for what the server sends (DESIGN: fetch → validate → hook). Light hand-written
 * guards rather than a schema library, to keep the bundle small: they check what the views rely on
 * and name the first field that is wrong.
 */
import type { RunEvent, ScenarioInfo } from '../../../sim/server/api-types.ts';

export class ApiShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApiShapeError';
  }
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function need(cond: boolean, what: string): void {
  if (!cond) throw new ApiShapeError(what);
}

export function parseScenarioList(json: unknown): ScenarioInfo[] {
  need(Array.isArray(json), 'GET /api/scenarios: expected an array');
  return (json as unknown[]).map((s, i) => {
    need(isObj(s), `scenarios[${i}]: expected an object`);
    const o = s as Obj;
    for (const f of ['path', 'group', 'name', 'description'] as const) {
      need(typeof o[f] === 'string', `scenarios[${i}].${f}: expected a string`);
    }
    return { path: o.path as string, group: o.group as string, name: o.name as string, description: o.description as string };
  });
}

const EVENT_FIELDS: Record<RunEvent['type'], [string, FieldKind][]> = {
  started: [
    ['runId', 'number'],
    ['scenario', 'string'],
    ['seed', 'number'],
    ['nodes', 'array'],
    ['durationNs', 'number'],
    ['sampleIntervalNs', 'number'],
  ],
  trace: [
    ['runId', 'number'],
    ['records', 'array'],
  ],
  sample: [
    ['runId', 'number'],
    ['rows', 'array'],
  ],
  progress: [
    ['runId', 'number'],
    ['simulatedNs', 'number'],
    ['fraction', 'number'],
  ],
  finished: [
    ['runId', 'number'],
    ['summary', 'object'],
    ['rules', 'array'],
  ],
  error: [
    ['code', 'string'],
    ['message', 'string'],
  ],
};

/** The kinds of field a frame check knows. */
export type FieldKind = 'string' | 'number' | 'boolean' | 'array' | 'object';

/**
 * Parses one JSON frame of a typed stream: `fields[type]` lists what each event type must carry.
 * Throws ApiShapeError naming the first bad field (`what` names the stream in the message).
 */
export function parseFrame<E extends { type: string }>(text: string, fields: Record<E['type'], [string, FieldKind][]>, what: string): E {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiShapeError(`${what} frame is not JSON`);
  }
  need(isObj(json), `${what} frame: expected an object`);
  const o = json as Obj;
  const list = fields[o.type as E['type']] as [string, FieldKind][] | undefined;
  need(list !== undefined, `${what} frame: unknown type ${JSON.stringify(o.type)}`);
  for (const [name, kind] of list!) {
    const v = o[name];
    const ok = kind === 'array' ? Array.isArray(v) : kind === 'object' ? isObj(v) : typeof v === kind;
    need(ok, `${String(o.type)} event: ${name} should be ${kind === 'array' || kind === 'object' ? `an ${kind}` : `a ${kind}`}`);
  }
  return o as unknown as E;
}

/** Parses one stream frame. Throws ApiShapeError naming the first bad field. */
export function parseRunEvent(text: string): RunEvent {
  return parseFrame<RunEvent>(text, EVENT_FIELDS, 'stream');
}
