/** GET /api/scenario and /api/validate (sim/server/campaign-routes.ts), with their errors as text. */
import type { ScenarioDetails, ValidateResult } from '../../../sim/server/campaign-types.ts';

async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  const body = (await res.json().catch(() => undefined)) as { error?: string; problems?: string[] } | undefined;
  if (!res.ok) throw new Error(body?.error ? `${body.error}${body.problems ? `: ${body.problems.join('; ')}` : ''}` : `${url} answered ${res.status}`);
  return body as T;
}

export function fetchScenarioDetails(path: string, signal?: AbortSignal): Promise<ScenarioDetails> {
  return getJson<ScenarioDetails>(`/api/scenario?path=${encodeURIComponent(path)}`, signal);
}

/** The overrides checked by the server's loader: the same messages as `reglab run --set`. */
export function validateOverrides(path: string, sets: readonly string[], signal?: AbortSignal): Promise<ValidateResult> {
  const q = [`path=${encodeURIComponent(path)}`, ...sets.map((s) => `set=${encodeURIComponent(s)}`)].join('&');
  return getJson<ValidateResult>(`/api/validate?${q}`, signal);
}
