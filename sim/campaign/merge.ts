import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareWritableDir } from '../cli/out-path.ts';
import { CampaignError } from './campaign-error.ts';
import { finishCampaign } from './cli-actions.ts';
import { CAMPAIGN_FILE, beginCampaignDir, describe, readCampaign, shardFiles } from './out-dir.ts';
import { DirStore } from './store.ts';
import type { Shard } from './shard.ts';
import type { Campaign, RunOutcome } from './types.ts';

interface ShardFile {
  campaign: string;
  shard: Shard;
  runs: string[];
  failed: Extract<RunOutcome, { ok: false }>[];
}

/**
 * `reglab merge DIR…`: the shards' results (DIR/runs, and the failures their shard files record)
 * into the campaign's sweep.csv / compare.csv — the same file a local run writes. Refuses, writing
 * nothing, when the DIRs hold different campaigns or any run is missing.
 */
export function mergeDirs(dirs: readonly string[], out?: string): number {
  if (dirs.length === 0) throw new CampaignError('E_USAGE', 'merge needs one or more DIRs (the --out of each shard)');
  let campaign: Campaign | undefined;
  let first = '';
  for (const d of dirs) {
    const c = readCampaign(d);
    if (!c) throw new CampaignError('E_CAMPAIGN', `merge: ${d} holds no ${CAMPAIGN_FILE} — give the --out DIR of each shard`);
    if (campaign && c.id !== campaign.id) throw new CampaignError('E_CAMPAIGN', `merge: ${d} holds ${describe(c)}, but ${first} holds ${describe(campaign)} — merge shards of one campaign`);
    campaign ??= c;
    first ||= d;
  }
  const c = campaign!;
  const stores = dirs.map((d) => new DirStore(d));
  const failures = new Map<string, Extract<RunOutcome, { ok: false }>>();
  const seenShards = new Map<number, Shard>();
  for (const d of dirs) {
    for (const f of shardFiles(d)) {
      const s = JSON.parse(readFileSync(join(d, f), 'utf8')) as ShardFile;
      if (s.campaign !== c.id) continue;
      seenShards.set(s.shard.index, s.shard);
      for (const o of s.failed ?? []) failures.set(o.key, o);
    }
  }
  const outcomes = c.runs.map((run) => {
    for (const st of stores) {
      const o = st.get(run.key);
      if (o?.ok && o.reglabVersion === c.reglabVersion) return { ...o, label: run.label } as RunOutcome;
    }
    const f = failures.get(run.key);
    return f ? ({ ...f, label: run.label } as RunOutcome) : undefined;
  });
  const missing = c.runs.filter((r) => outcomes[r.index] === undefined);
  if (missing.length) {
    const counts = [...new Set([...seenShards.values()].map((s) => s.count))];
    const n = counts.length === 1 ? counts[0] : undefined;
    const which = n ? ` — shards not merged: ${[...new Set(missing.map((r) => r.index % n))].map((i) => `${i}/${n}`).join(', ')}` : '';
    throw new CampaignError('E_CAMPAIGN', `merge: ${missing.length} of ${c.runs.length} runs of ${describe(c)} have no result${which} — run them (same command with --shard i/n) or give their DIRs; nothing written`);
  }
  const target = out ?? first;
  if (resolve(target) !== resolve(first) || !existsSync(join(target, CAMPAIGN_FILE))) {
    prepareWritableDir(target);
    beginCampaignDir(target, c, false);
  }
  return finishCampaign(c, outcomes, target, `merged ${c.runs.length} runs from ${dirs.length} dir(s)`);
}
