import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampaignError } from './campaign-error.ts';
import type { Campaign } from './types.ts';

/**
 * A campaign's --out DIR: campaign.json (the campaign itself, scenario content included), runs/
 * (results by key), and at the end sweep.csv or compare.csv. The CSV appears only when the
 * campaign is complete: it is removed at the start and written whole (temp file, rename).
 */
export const CAMPAIGN_FILE = 'campaign.json';
export const FINAL_FILES = ['sweep.csv', 'compare.csv', 'manifest.json'];

export function writeWhole(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export function readCampaign(dir: string): Campaign | undefined {
  const f = join(dir, CAMPAIGN_FILE);
  if (!existsSync(f)) return undefined;
  try {
    const c = JSON.parse(readFileSync(f, 'utf8')) as Campaign;
    if (typeof c.id !== 'string' || !Array.isArray(c.runs) || !c.bundle || !c.def) throw new Error('fields missing');
    return c;
  } catch (err) {
    throw new CampaignError('E_CAMPAIGN', `${f}: not a RegLab campaign file (${(err as Error).message}) — use another --out DIR`);
  }
}

export function describe(c: Campaign): string {
  return `campaign ${c.id} (${c.def.kind} of ${c.bundle.name}, ${c.runs.length} runs, RegLab ${c.reglabVersion})`;
}

/** Records the campaign in DIR and removes a previous final CSV, so nothing stale looks complete. */
export function beginCampaignDir(dir: string, c: Campaign, resume: boolean): void {
  const before = readCampaign(dir);
  if (resume) {
    if (!before) throw new CampaignError('E_CAMPAIGN', `--resume: ${dir} holds no campaign (no ${CAMPAIGN_FILE}) — run without --resume to start one`);
    if (before.id !== c.id) {
      throw new CampaignError('E_CAMPAIGN', `--resume: ${dir} holds ${describe(before)}, not this ${describe(c)} — give the same scenario and options, or drop --resume`);
    }
  }
  for (const f of FINAL_FILES) rmSync(join(dir, f), { force: true });
  writeWhole(join(dir, CAMPAIGN_FILE), JSON.stringify(c) + '\n');
}

/** The shard files a directory holds: `shard-I-of-N.json`. */
export function shardFiles(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => /^shard-\d+-of-\d+\.json$/.test(f));
  } catch {
    return [];
  }
}
