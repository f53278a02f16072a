/**
 * Parses one WebSocket frame from the dashboard into a ClientCommand (DESIGN principle 7: data at
 * the edges is validated). Every failure is an ApiError whose message names the field and says what
 * is allowed, so the browser can show it as is.
 */
import { z } from 'zod';
import type { ClientCommand } from './api-types.ts';
import { API_ERRORS, ApiError } from './errors.ts';

export const MAX_SEED = 2 ** 32 - 1;

const seed = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must be 0 or more' })
  // The command line's range (reglab run --seed), so a seed from either place means the same run.
  .max(MAX_SEED, { error: `must be at most ${MAX_SEED}` });

const runCommand = z.strictObject(
  {
    type: z.literal('run'),
    scenario: z
      .string({ error: "must be a string: a path inside the scenarios folder, e.g. 'learn/x.yaml'" })
      .min(1, { error: "must not be empty: a path inside the scenarios folder, e.g. 'learn/x.yaml'" }),
    seed: seed.optional(),
    set: z
      .record(
        z.string().min(1, { error: 'must be a non-empty parameter path' }),
        z.string({ error: "must be a string value (as on the command line's --set path=value)" }),
        { error: 'must be an object of parameter path → value strings' },
      )
      .optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? `unknown field; allowed: type, scenario, seed, set` : undefined) },
);

const cancelCommand = z.strictObject({ type: z.literal('cancel') });

/** Parse and validate one text frame. Throws ApiError (E_API). */
export function parseClientCommand(text: string): ClientCommand {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ApiError(API_ERRORS.E_API, `command is not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ApiError(API_ERRORS.E_API, 'command must be a JSON object such as {"type":"run","scenario":"learn/x.yaml"}');
  }
  const type = (raw as { type?: unknown }).type;
  const schema = type === 'run' ? runCommand : type === 'cancel' ? cancelCommand : undefined;
  if (!schema) {
    throw new ApiError(API_ERRORS.E_API, `type: must be 'run' or 'cancel' (got ${describe(type)})`);
  }
  const r = schema.safeParse(raw);
  if (r.success) return r.data as ClientCommand;
  const problems = r.error.issues.map((iss) => {
    const keys = iss.code === 'unrecognized_keys' ? iss.keys : [];
    const path = [...iss.path, ...keys].map(String).join('.');
    return `${path || '(command)'}: ${iss.message}`;
  });
  throw new ApiError(API_ERRORS.E_API, problems[0]!, problems);
}

/** Turns the command's `set` object into the loader's 'path=value' strings. */
export function setToOverrides(set: Record<string, string> | undefined): string[] | undefined {
  if (!set) return undefined;
  return Object.entries(set).map(([k, v]) => `${k}=${v}`);
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
