import type { Ns } from '../kernel/time.ts';
import type { ReplayRows } from './workload.ts';

/**
 * Reads a replay file: one row per event, `time,subscriber[,event]`, an optional header row, `#`
 * comments and blank lines allowed. Time is a bare number in `timeUnit` or carries its own unit
 * (`1.5s`, `250ms`, `120000000ns`). Researchers replay real detach logs this way.
 */
export function parseReplayCsv(
  text: string,
  opts: { timeUnit: 'ns' | 'us' | 'ms' | 's'; population: number; parseDuration: (v: string) => Ns | undefined },
): { rows?: ReplayRows; problems: string[] } {
  const unit = { ns: 1, us: 1e3, ms: 1e6, s: 1e9 }[opts.timeUnit];
  const times: number[] = [];
  const subs: number[] = [];
  const events: number[] = [];
  const names = new Map<string, number>();
  const problems: string[] = [];
  const lines = text.split(/\r?\n/);
  for (let ln = 0; ln < lines.length && problems.length < 20; ln++) {
    const line = lines[ln].trim();
    if (line === '' || line.startsWith('#')) continue;
    const cols = line.split(',').map((c) => c.trim());
    if (times.length === 0 && ln === firstDataLine(lines) && /^[A-Za-z_]/.test(cols[0])) continue; // header
    if (cols.length < 2 || cols.length > 3) {
      problems.push(`line ${ln + 1}: expected time,subscriber[,event], got ${cols.length} column(s)`);
      continue;
    }
    const t = /^[0-9]+(\.[0-9]+)?$/.test(cols[0]) ? Math.round(Number(cols[0]) * unit) : opts.parseDuration(cols[0]);
    if (t === undefined || !Number.isSafeInteger(t)) {
      problems.push(`line ${ln + 1}: time '${cols[0]}' is not a number of ${opts.timeUnit} or a duration like 1.5s`);
      continue;
    }
    const s = Number(cols[1]);
    if (!/^[0-9]+$/.test(cols[1]) || s >= opts.population) {
      problems.push(`line ${ln + 1}: subscriber '${cols[1]}' is not an id in the population (0 … ${opts.population - 1})`);
      continue;
    }
    let e = -1;
    if (cols.length === 3 && cols[2] !== '') {
      e = names.get(cols[2]) ?? -1;
      if (e < 0) {
        e = names.size;
        names.set(cols[2], e);
      }
    }
    times.push(t);
    subs.push(s);
    events.push(e);
  }
  if (problems.length) return { problems };
  if (times.length === 0) return { problems: ['no rows: expected lines of time,subscriber[,event]'] };
  return {
    rows: {
      times: Float64Array.from(times),
      subs: Int32Array.from(subs),
      events: Int32Array.from(events),
      eventNames: [...names.keys()],
    },
    problems: [],
  };
}

function firstDataLine(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l !== '' && !l.startsWith('#')) return i;
  }
  return -1;
}
