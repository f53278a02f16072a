import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeOutcome, encodeOutcome } from './codec.ts';
import type { RunOutcome } from './types.ts';

/** Where finished runs are kept by key, so a campaign run again runs only what is missing. */
export interface ResultStore {
  get(key: string): RunOutcome | undefined;
  put(outcome: RunOutcome): void;
}

/** In memory (the dashboard's campaigns, tests). */
export class MemoryStore implements ResultStore {
  private readonly map = new Map<string, RunOutcome>();
  get(key: string): RunOutcome | undefined {
    return this.map.get(key);
  }
  put(o: RunOutcome): void {
    this.map.set(o.key, o);
  }
}

/** `DIR/runs/KEY.json`, one file per run, written whole (temp file then rename). */
export class DirStore implements ResultStore {
  readonly dir: string;
  constructor(outDir: string) {
    this.dir = join(outDir, 'runs');
    mkdirSync(this.dir, { recursive: true });
  }
  get(key: string): RunOutcome | undefined {
    if (!/^[0-9a-f]{40}$/.test(key)) return undefined;
    let text: string;
    try {
      text = readFileSync(join(this.dir, `${key}.json`), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const o = decodeOutcome(text);
      return o.key === key ? o : undefined;
    } catch {
      return undefined; // a torn or foreign file is simply not a result: the run is redone
    }
  }
  put(o: RunOutcome): void {
    const file = join(this.dir, `${o.key}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, encodeOutcome(o) + '\n');
    renameSync(tmp, file);
  }
}
