import { Option } from 'commander';
import { loadScenarioFile, type Scenario } from '../scenario/load.ts';
import { runOutput, writeRunDir } from '../observe/export.ts';
import { formatSummary } from '../observe/summary-table.ts';
import { runManifest } from '../scenario/job.ts';
import type { RunResult } from '../scenario/run.ts';
import { parseDuration } from '../scenario/units.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_STRICT } from '../errors.ts';
import type { LatenessMode } from '../emulate/realtime-driver.ts';
import { action, commandNamed, scenarioCommand, usageError, type CliCommand } from './common.ts';
import { prepareRunDir } from './out-path.ts';

interface EmulateOpts {
  seed?: number;
  set?: string[];
  out?: string;
  quiet?: boolean;
  strict?: boolean;
  host: string;
  duration?: string;
  timeScale: string;
  lateness: string;
}

/**
 * `reglab emulate` (docs/emulation.md), and `--replay DIR` on `reglab run` (the recording of an
 * emulation re-run in virtual time).
 */
export const emulateCommand: CliCommand = {
  register(program, ctx) {
    scenarioCommand(
      program,
      {
        name: 'emulate',
        summary: 'run a scenario in real time on real sockets (the emulation lab)',
        description:
          "Builds SCENARIO's nodes on real loopback endpoints — SIP over UDP and TCP, Diameter Cx over TCP —\n" +
          'prints every endpoint, runs the workload in real time, and at the end of the duration (or on Ctrl-C)\n' +
          'writes the same outputs as run, with trace.pcapng of the real packets, emulation.json (endpoints,\n' +
          'lateness, wire counters) and arrivals.jsonl (replay it: reglab run SCENARIO --replay DIR).',
        examples: ['reglab emulate scenarios/emulate/ims-core-ics-detach.yaml --out runs/emu', 'reglab run scenarios/emulate/ims-core-ics-detach.yaml --replay runs/emu'],
      },
      'a scenario file (e.g. scenarios/emulate/ims-core-ics-detach.yaml)',
    )
      .option('--out <dir>', 'write the run directory there')
      .option('--strict', 'exit 1 if a rule is violated or a procedure failed')
      .addOption(new Option('--host <addr>', 'address every listener binds (anything but loopback prints a warning)').default('127.0.0.1'))
      .option('--duration <d>', "how long to run (default: the scenario's duration), e.g. 30s")
      .addOption(new Option('--time-scale <x>', 'run x times slower than real time (demonstrations); below 1 runs faster').default('1'))
      .addOption(new Option('--lateness <mode>', "'best-effort', or 'hard-limit=<ms>' to stop when an event runs later than that").default('best-effort'))
      .action(action(ctx, (file: string, opts: EmulateOpts) => cmdEmulate(file, opts)));
    commandNamed(program, 'run').addOption(new Option('--replay <dir>', 'replay the recording of a reglab emulate run (its --out directory) in virtual time'));
  },
};

/**
 * The emulator's modules (sockets, real-time driver, replay), loaded when a command needs them: every
 * `reglab` command registers `emulate`, and a plain `reglab run` must not pay for loading them.
 */
async function emulator() {
  const [{ runEmulation }, { runReplay }, { parseLatenessMode }, { EmulateError }] = await Promise.all([
    import('../emulate/emulate.ts'),
    import('../emulate/replay.ts'),
    import('../emulate/realtime-driver.ts'),
    import('../emulate/wire-network.ts'),
  ]);
  return { runEmulation, runReplay, parseLatenessMode, EmulateError };
}

/** `reglab run --replay DIR` (called by sim/cli/run.ts): bad recordings are bad input (exit 2). */
export async function replayRun(sc: Scenario, dir: string): Promise<RunResult> {
  const { runReplay, EmulateError } = await emulator();
  try {
    return await runReplay(sc, dir);
  } catch (e) {
    if (e instanceof EmulateError) throw usageError(e.message);
    throw e;
  }
}

async function cmdEmulate(file: string, opts: EmulateOpts): Promise<number> {
  const { runEmulation, parseLatenessMode, EmulateError } = await emulator();
  const durationNs = opts.duration === undefined ? undefined : parseDuration(opts.duration);
  if (durationNs === undefined && opts.duration !== undefined) throw usageError(`--duration ${opts.duration}: expected a duration such as 30s or 2min`);
  const timeScale = Number(opts.timeScale);
  if (!(timeScale > 0)) throw usageError(`--time-scale ${opts.timeScale}: expected a number > 0 (2 runs twice slower than real time)`);
  let lateness: LatenessMode;
  try {
    lateness = parseLatenessMode(opts.lateness);
  } catch (e) {
    throw usageError((e as Error).message);
  }
  const sc = loadScenarioFile(file, { seed: opts.seed, set: opts.set });
  if (opts.out) prepareRunDir(opts.out);
  const host = opts.host;
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    process.stderr.write(`reglab emulate: WARNING — listening on ${host}, not loopback: anyone who can reach this address can talk to the emulated nodes\n`);
  }
  const ac = new AbortController();
  const stop = () => ac.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let result;
  try {
    result = await runEmulation(sc, {
      host,
      durationNs,
      timeScale,
      lateness,
      signal: ac.signal,
      onStarted: (eps) => {
        process.stdout.write(`emulating ${sc.name} for ${((durationNs ?? sc.duration) / 1e9).toFixed(1)} s${timeScale !== 1 ? ` at time scale ${timeScale}` : ''} — endpoints:\n`);
        for (const e of eps) process.stdout.write(`  ${e.node.padEnd(12)} ${e.url}\n`);
        process.stdout.write('(Ctrl-C ends it early and still writes the outputs)\n');
      },
    });
  } catch (e) {
    if (e instanceof EmulateError) {
      process.stderr.write(`reglab emulate: ${e.message} [${e.code}]\n`);
      return EXIT_BAD_INPUT;
    }
    throw e;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  if (opts.out) {
    await writeRunDir(opts.out, runOutput(result, { ...runManifest(sc.name, sc.file, sc.seed, sc.sets), emulate: { host, timeScale, lateness: result.lateness.mode } }));
  }
  if (!opts.quiet) process.stdout.write(formatSummary(result.summary, result.rules, opts.out));
  const l = result.lateness;
  const w = result.wire;
  process.stdout.write(
    `lateness: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms over ${l.events} events; wire: ${w.sent} sent, ${w.received} received, ${w.rejected} answered with an error, ${w.discarded} discarded\n`,
  );
  if (result.ended === 'error') {
    process.stderr.write(`reglab emulate: stopped — ${result.error} [E_EMULATE_LATE]\n`);
    return EXIT_STRICT;
  }
  const failed = result.summary.rules.failed > 0 || Object.values(result.summary.procedures).some((p) => p.failed + p.abandoned > 0);
  return opts.strict && failed ? EXIT_STRICT : EXIT_OK;
}
