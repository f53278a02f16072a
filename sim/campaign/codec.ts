import type { RunOutcome } from './types.ts';

/**
 * Results travel as JSON (Redis, shard files, the result store). JSON has no NaN or Infinity, and a
 * mean over seeds must see the same NaN locally and distributed, so non-finite numbers are tagged.
 */
const TAG = '$num';

export function encodeOutcome(r: RunOutcome): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [TAG]: String(v) } : v));
}

export function decodeOutcome(text: string): RunOutcome {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length === 1 && keys[0] === TAG) return Number((v as Record<string, string>)[TAG]);
    }
    return v;
  }) as RunOutcome;
}
