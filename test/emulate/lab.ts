import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { loadScenarioFile, type Scenario } from '../../sim/scenario/load.ts';
import { runReplay } from '../../sim/emulate/replay.ts';
import { runEmulation, type EmulateOptions, type EmulationResult } from '../../sim/emulate/emulate.ts';
import type { EndpointInfo } from '../../sim/emulate/wire-network.ts';
import type { RunResult } from '../../sim/scenario/run.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const IMS_CORE = join(ROOT, 'scenarios/emulate/ims-core-ics-detach.yaml');

/**
 * The IMS core scenario shortened for tests: calls answered after 300 ms, detach at 2.5 s, the end
 * at 3 s — the whole §6.3.3 registration, reg-event subscription, two calls and §6.3.6.2
 * deregistration in three seconds of real time.
 */
export function shortImsCore(extra: string[] = []): Scenario {
  return loadScenarioFile(IMS_CORE, {
    set: ['duration=3s', 'workload[1].pattern.at=2500ms', 'nodes[0].params.sessionSetupAfter=200ms', 'nodes[4].params.answerAfter=300ms', ...extra],
  });
}

/** tshark's count of malformed frames in a capture (Diameter decoded on its real ports). */
export function tsharkMalformed(file: string, diameterPorts: number[]): { frames: number; malformed: number } {
  const decodeAs = diameterPorts.flatMap((p) => ['-d', `tcp.port==${p},diameter`]);
  const all = spawnSync('tshark', ['-r', file, ...decodeAs], { encoding: 'utf8' });
  if (all.status !== 0) throw new Error(`tshark could not read ${file}: ${all.stderr}`);
  const bad = spawnSync('tshark', ['-r', file, ...decodeAs, '-Y', '_ws.malformed || _ws.expert.severity == error'], { encoding: 'utf8' });
  const count = (s: string) => s.split('\n').filter((l) => l.trim() !== '').length;
  return { frames: count(all.stdout), malformed: count(bad.stdout) };
}

/**
 * Replays a recorded emulation (its run directory) twice: the same traceHash both times, and the
 * emulation's own rule verdicts. Returns the first replay for the caller's further checks.
 */
export async function replayTwice(sc: Scenario, runDir: string, emulated: { rules: RunResult['rules'] }): Promise<RunResult> {
  const a = await runReplay(sc, runDir);
  const b = await runReplay(sc, runDir);
  assert.equal(a.summary.traceHash, b.summary.traceHash, 'replay is deterministic');
  assert.deepEqual(
    a.rules.map((x) => `${x.id}:${x.status}`),
    emulated.rules.map((x) => `${x.id}:${x.status}`),
    'the replay gives the emulation its verdicts',
  );
  return a;
}

/**
 * Runs an emulation while a test's stand-in peer drives it: `drive` starts with the lab (given its
 * endpoints) and the emulation stops as soon as `drive` settles — the scenario's duration is only a
 * cap. On a loaded host the peer's round trips take longer; a fixed end would cut the exchange short.
 * Rethrows what `drive` threw (its assertions).
 */
export async function emulateWhile(sc: Scenario, opts: EmulateOptions, drive: (endpoints: EndpointInfo[]) => Promise<void>): Promise<EmulationResult> {
  const abort = new AbortController();
  let flow: Promise<void> | undefined;
  const r = await runEmulation(sc, {
    ...opts,
    signal: abort.signal,
    onStarted: (eps) => {
      flow = drive(eps).finally(() => abort.abort());
    },
  });
  await flow;
  return r;
}
