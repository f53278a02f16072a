/**
 * The question on screen as a URL, so a link reopens it: view, scenario, seed, overrides and the
 * campaign's own choices. Pure: parse(search) → state plus problems; toSearch(state) → search.
 *
 *   ?view=sweep&scenario=sizing/x.yaml&seed=7&set=population.size%3D2000&vary=msgin5g.bulking.maxSize%3D1,10,100&metric=node.server.cpu_s
 */
export const VIEWS = ['run', 'compare', 'sweep', 'policies', 'emulate', 'queue'] as const;
export type View = (typeof VIEWS)[number];

export interface UrlState {
  view: View;
  scenario?: string;
  seed?: number;
  /** --set overrides, path → value. */
  set: Record<string, string>;
  /** Compare: the variants to run (default: all). */
  variants?: string[];
  /** Sweep: one or two axes. */
  vary: { path: string; values: string[] }[];
  /** Sweep: the metric charted; policies: the metric shown first. */
  metric?: string;
  /** Policies: the policy field, its values, seeds per policy. */
  policy?: string;
  values?: string[];
  seeds?: number;
}

export const EMPTY_URL_STATE: UrlState = { view: 'run', set: {}, vary: [] };

const list = (v: string) => v.split(',').map((x) => x.trim()).filter(Boolean);

export function parseUrlState(search: string): { state: UrlState; problems: string[] } {
  const q = new URLSearchParams(search);
  const problems: string[] = [];
  const state: UrlState = { view: 'run', set: {}, vary: [] };
  const view = q.get('view');
  if (view !== null) {
    if ((VIEWS as readonly string[]).includes(view)) state.view = view as View;
    else problems.push(`view: '${view}' is not a view — use one of ${VIEWS.join(', ')}`);
  }
  const scenario = q.get('scenario');
  if (scenario) state.scenario = scenario;
  const seed = q.get('seed');
  if (seed !== null) {
    if (/^[0-9]+$/.test(seed) && Number(seed) <= 2 ** 32 - 1) state.seed = Number(seed);
    else problems.push(`seed: '${seed}' is not a whole number from 0 to 4294967295`);
  }
  for (const s of q.getAll('set')) {
    const eq = s.indexOf('=');
    if (eq <= 0) problems.push(`set: '${s}' is not path=value`);
    else state.set[s.slice(0, eq).trim()] = s.slice(eq + 1);
  }
  const variants = q.get('variants');
  if (variants) state.variants = list(variants);
  for (const v of q.getAll('vary')) {
    const eq = v.indexOf('=');
    const values = eq > 0 ? list(v.slice(eq + 1)) : [];
    if (eq <= 0 || values.length === 0) problems.push(`vary: '${v}' is not path=v1,v2,…`);
    else state.vary.push({ path: v.slice(0, eq).trim(), values });
  }
  const metric = q.get('metric');
  if (metric) state.metric = metric;
  const policy = q.get('policy');
  if (policy) state.policy = policy;
  const values = q.get('values');
  if (values) state.values = list(values);
  const seeds = q.get('seeds');
  if (seeds !== null) {
    if (/^[0-9]+$/.test(seeds) && Number(seeds) >= 1 && Number(seeds) <= 1000) state.seeds = Number(seeds);
    else problems.push(`seeds: '${seeds}' is not a whole number from 1 to 1000`);
  }
  return { state, problems };
}

export function toSearch(s: UrlState): string {
  const q = new URLSearchParams();
  q.set('view', s.view);
  if (s.scenario) q.set('scenario', s.scenario);
  if (s.seed !== undefined) q.set('seed', String(s.seed));
  for (const [k, v] of Object.entries(s.set)) q.append('set', `${k}=${v}`);
  if (s.variants?.length) q.set('variants', s.variants.join(','));
  for (const ax of s.vary) q.append('vary', `${ax.path}=${ax.values.join(',')}`);
  if (s.metric) q.set('metric', s.metric);
  if (s.policy) q.set('policy', s.policy);
  if (s.values?.length) q.set('values', s.values.join(','));
  if (s.seeds !== undefined) q.set('seeds', String(s.seeds));
  return `?${q.toString()}`;
}
