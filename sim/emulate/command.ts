import { parseArgs } from 'node:util';
import { loadScenarioFile } from '../scenario/load.ts';
import { writeRunDir, checkRunDir } from '../observe/export.ts';
import { formatSummary } from '../observe/summary-table.ts';
import { runManifest } from '../scenario/job.ts';
import { parseDuration } from '../scenario/units.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_STRICT } from '../errors.ts';
import { runEmulation } from './emulate.ts';
import { parseLatenessMode } from './realtime-driver.ts';
import { EmulateError } from './wire-network.ts';

export const EMULATE_USAGE = `  reglab emulate SCENARIO [--host 127.0.0.1] [--duration D] [--out DIR] [--time-scale X] [--lateness best-effort|hard-limit=MS] [--strict]
      the scenario's nodes in real time on real sockets (SIP UDP/TCP, Diameter/TCP); prints every
      endpoint on start; at the end of the duration or on Ctrl-C writes the same outputs as run,
      plus arrivals.jsonl (replay it with: reglab run SCENARIO --replay DIR) and emulation.json`;

function usage(message: string): Error {
  return Object.assign(new Error(message), { code: 'E_USAGE' });
}

/** `reglab emulate`: see EMULATE_USAGE and docs/emulation.md. */
export async function cmdEmulate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      duration: { type: 'string' },
      out: { type: 'string' },
      'time-scale': { type: 'string', default: '1' },
      lateness: { type: 'string', default: 'best-effort' },
      seed: { type: 'string' },
      set: { type: 'string', multiple: true },
      strict: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw usage('emulate takes exactly one scenario file');
  const durationNs = values.duration === undefined ? undefined : parseDuration(values.duration);
  if (durationNs === undefined && values.duration !== undefined) throw usage(`--duration ${values.duration}: expected a duration such as 30s or 2min`);
  const timeScale = Number(values['time-scale']);
  if (!(timeScale > 0)) throw usage(`--time-scale ${values['time-scale']}: expected a number > 0 (2 runs twice slower than real time)`);
  let lateness;
  try {
    lateness = parseLatenessMode(values.lateness!);
  } catch (e) {
    throw usage((e as Error).message);
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const sc = loadScenarioFile(positionals[0], { seed, set: values.set });
  if (values.out) checkRunDir(values.out);
  const host = values.host!;
  if (host !== '127.0.0.1' && host !== '::1' && host !== 'localhost') {
    process.stderr.write(`reglab emulate: WARNING — listening on ${host}, not loopback: anyone who can reach this address can talk to the emulated nodes\n`);
  }
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
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
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
  if (values.out) {
    await writeRunDir(values.out, {
      summary: result.summary,
      rules: result.rules,
      trace: result.trace,
      samples: result.samples,
      probes: result.probes,
      nodes: result.nodes,
      manifest: { ...runManifest(sc.name, sc.file, sc.seed, sc.sets), emulate: { host, timeScale, lateness: result.lateness.mode } },
      extra: result.extra,
    });
  }
  if (!values.quiet) process.stdout.write(formatSummary(result.summary, result.rules, values.out));
  const l = result.lateness;
  process.stdout.write(`lateness: p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms, max ${l.maxMs} ms over ${l.events} events; wire: ${result.wire.sent} sent, ${result.wire.received} received, ${result.wire.rejected} answered with an error, ${result.wire.discarded} discarded\n`);
  if (result.ended === 'error') {
    process.stderr.write(`reglab emulate: stopped — ${result.error} [E_EMULATE_LATE]\n`);
    return EXIT_STRICT;
  }
  if (values.strict) {
    const failedProcs = Object.values(result.summary.procedures).some((p) => p.failed + p.abandoned > 0);
    if (result.summary.rules.failed > 0 || failedProcs) return EXIT_STRICT;
  }
  return EXIT_OK;
}

export { EXIT_BAD_INPUT };
