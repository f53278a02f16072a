/**
 * Parses one /api/campaign frame into a CampaignCommand (DESIGN principle 7). Every failure is an
 * ApiError (E_API) whose message names the field and says what is allowed.
 */
import { z } from 'zod';
import type { CampaignCommand } from './campaign-types.ts';
import { API_ERRORS, ApiError } from './errors.ts';
import { MAX_SEED } from './commands.ts';

const seed = z
  .number({ error: 'must be a number' })
  .int({ error: 'must be a whole number' })
  .min(0, { error: 'must be 0 or more' })
  .max(MAX_SEED, { error: `must be at most ${MAX_SEED}` });

const text = (what: string) => z.string({ error: `must be a string: ${what}` }).min(1, { error: `must not be empty: ${what}` });

const base = {
  scenario: text("a path inside the scenarios folder, e.g. 'sizing/x.yaml'"),
  seed: seed.optional(),
  set: z
    .record(text('a parameter path'), z.string({ error: "must be a string value (as on the command line's --set path=value)" }), {
      error: 'must be an object of parameter path → value strings',
    })
    .optional(),
  confirm: z.boolean({ error: 'must be true or false' }).optional(),
};

const allowed = (keys: string[]) => ({
  error: (iss: { code?: string }) => (iss.code === 'unrecognized_keys' ? `unknown field; allowed: ${keys.join(', ')}` : undefined),
});

const SCHEMAS = {
  variants: z.strictObject(
    { type: z.literal('variants'), ...base, variants: z.array(text('a variant name'), { error: 'must be a list of variant names' }).min(1, { error: 'must name at least one variant' }).optional() },
    allowed(['type', 'scenario', 'seed', 'set', 'confirm', 'variants']),
  ),
  sweep: z.strictObject(
    {
      type: z.literal('sweep'),
      ...base,
      vary: z
        .array(
          z.strictObject({
            path: text('a parameter path, e.g. msgin5g.bulking.maxSize'),
            values: z.array(z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }), { error: 'must be a list of values' }).min(1, { error: 'needs at least one value' }),
          }),
          { error: 'must be a list of { path, values }' },
        )
        .min(1, { error: 'needs one or two parameters to vary' })
        .max(2, { error: 'at most two parameters at once (a third would need a third axis to show)' }),
    },
    allowed(['type', 'scenario', 'seed', 'set', 'confirm', 'vary']),
  ),
  policies: z.strictObject(
    {
      type: z.literal('policies'),
      ...base,
      policy: text('the field path of a policy, e.g. nodes.msc.params.policies.deregFailure').optional(),
      values: z.array(text('a policy name'), { error: 'must be a list of policy names' }).min(2, { error: 'needs at least two policies to compare' }).optional(),
      seeds: z.number({ error: 'must be a number' }).int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(1000, { error: 'must be at most 1000' }).optional(),
      metrics: z.array(text('a headline column, e.g. messages'), { error: 'must be a list of headline columns' }).optional(),
    },
    allowed(['type', 'scenario', 'seed', 'set', 'confirm', 'policy', 'values', 'seeds', 'metrics']),
  ),
  cancel: z.strictObject({ type: z.literal('cancel') }),
} as const;

export function parseCampaignCommand(frame: string): CampaignCommand {
  let raw: unknown;
  try {
    raw = JSON.parse(frame);
  } catch (e) {
    throw new ApiError(API_ERRORS.E_API, `command is not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ApiError(API_ERRORS.E_API, 'command must be a JSON object such as {"type":"variants","scenario":"sizing/x.yaml"}');
  }
  const type = (raw as { type?: unknown }).type;
  const schema = typeof type === 'string' && Object.hasOwn(SCHEMAS, type) ? SCHEMAS[type as keyof typeof SCHEMAS] : undefined;
  if (!schema) throw new ApiError(API_ERRORS.E_API, `type: must be one of ${Object.keys(SCHEMAS).join(', ')} (got ${JSON.stringify(type) ?? 'nothing'})`);
  const r = schema.safeParse(raw);
  if (r.success) return r.data as CampaignCommand;
  const problems = r.error.issues.map((iss) => {
    const keys = iss.code === 'unrecognized_keys' ? iss.keys : [];
    const path = [...iss.path, ...keys].map(String).join('.');
    return `${path || '(command)'}: ${iss.message}`;
  });
  throw new ApiError(API_ERRORS.E_API, problems[0]!, problems);
}
