import { parseArgs } from 'node:util';
import { writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile, ScenarioError, type Scenario } from './scenario/load.ts';
import { runScenario } from './scenario/run.ts';
import { scenarioJsonSchema } from './scenario/schema.ts';
import { writeRunDir } from './observe/export.ts';
import { formatSummary } from './observe/summary-table.ts';
import { ProgressBar } from './observe/progress.ts';
import { REGLAB_VERSION } from './version.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_STRICT } from './errors.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const USAGE = `reglab ${REGLAB_VERSION} — 3GPP registration-on-behalf simulator

usage:
  reglab run SCENARIO [--seed N] [--set path=value]… [--out DIR] [--strict] [--quiet]
  reglab validate SCENARIO…
  reglab serve [--port N] [--host ADDR] [--build-if-needed]
  reglab schema [--out FILE]        write the scenario JSON Schema (default docs/scenario.schema.json)

exit codes: 0 success, 1 rules violated or procedures failed (with --strict), 2 bad input`;

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'run':
        return await cmdRun(rest);
      case 'validate':
        return cmdValidate(rest);
      case 'serve':
        return await cmdServe(rest);
      case 'schema':
        return cmdSchema(rest);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        console.log(USAGE);
        return cmd === undefined ? EXIT_BAD_INPUT : EXIT_OK;
      case '--version':
        console.log(REGLAB_VERSION);
        return EXIT_OK;
      default:
        console.error(`reglab: unknown command '${cmd}' [E_USAGE]\n\n${USAGE}`);
        return EXIT_BAD_INPUT;
    }
  } catch (err) {
    if (err instanceof ScenarioError) {
      console.error(`reglab: invalid scenario [${err.code}]\n${err.message}`);
      return EXIT_BAD_INPUT;
    }
    const e = err as Error & { code?: string };
    if (e.code === 'E_OUT_DIR' || e.code === 'E_USAGE' || e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      console.error(`reglab: ${e.message} [${e.code?.startsWith('ERR_PARSE_ARGS') ? 'E_USAGE' : e.code}]`);
      return EXIT_BAD_INPUT;
    }
    throw err;
  }
}

function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: 'E_USAGE' });
}

function parseSeed(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]+$/.test(v) || Number(v) > 2 ** 32 - 1) throw usageError(`--seed ${v}: expected a whole number from 0 to 4294967295`);
  return Number(v);
}

async function cmdRun(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      seed: { type: 'string' },
      set: { type: 'string', multiple: true },
      out: { type: 'string' },
      strict: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) throw usageError('run takes exactly one scenario file');
  const sc = loadScenarioFile(positionals[0], { seed: parseSeed(values.seed), set: values.set });
  const bar = values.quiet ? undefined : new ProgressBar(process.stderr, sc.name);
  const result = await runScenario(sc, { onProgress: bar ? (p) => bar.update(p) : undefined });
  bar?.done();
  if (values.out) {
    await writeRunDir(values.out, {
      summary: result.summary,
      rules: result.rules,
      trace: result.trace,
      samples: result.samples,
      nodes: result.nodes,
      manifest: manifest(sc),
      extra: result.extra,
    });
  }
  process.stdout.write(formatSummary(result.summary, result.rules, values.out));
  if (values.strict) {
    const failedProcs = Object.values(result.summary.procedures).some((p) => p.failed + p.abandoned > 0);
    if (result.summary.rules.failed > 0 || failedProcs) return EXIT_STRICT;
  }
  return EXIT_OK;
}

/** The run manifest: enough to reproduce the run exactly. */
function manifest(sc: Scenario): Record<string, unknown> {
  return {
    reglabVersion: REGLAB_VERSION,
    scenario: sc.name,
    file: sc.file,
    seed: sc.seed,
    sets: sc.sets,
    node: process.version,
    createdAt: new Date().toISOString(),
    command: `reglab run ${sc.file} --seed ${sc.seed}${sc.sets.map((s) => ` --set ${s}`).join('')}`,
  };
}

function cmdValidate(args: string[]): number {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length === 0) throw usageError('validate takes one or more scenario files');
  let bad = 0;
  for (const f of positionals) {
    try {
      const sc = loadScenarioFile(f);
      console.log(`ok: ${f} — ${sc.doc.nodes.length} nodes, population ${sc.doc.population.size}, ${sc.doc.workload.length} workload(s)`);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      bad++;
      console.error(err.message);
    }
  }
  return bad > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}

async function cmdServe(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      'build-if-needed': { type: 'boolean', default: false },
      scenarios: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port ${values.port}: expected a port number from 0 to 65535`);
  const { startServer } = await import('./server/server.ts');
  const server = await startServer({
    host: values.host,
    port,
    scenariosDir: resolve(values.scenarios ?? resolve(ROOT, 'scenarios')),
    buildIfNeeded: values['build-if-needed'],
    log: (line) => console.error(line),
  });
  console.log(`RegLab dashboard: ${server.url}`);
  await new Promise<void>((res) => {
    const stop = () => res();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT_OK;
}

function cmdSchema(args: string[]): number {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  const out = resolve(values.out ?? resolve(ROOT, 'docs/scenario.schema.json'));
  mkdirSync(dirname(out), { recursive: true });
  const schema = { ...(scenarioJsonSchema() as object), title: 'RegLab scenario' };
  writeFileSync(out, JSON.stringify(schema, null, 2) + '\n');
  console.log(`wrote ${out}`);
  return EXIT_OK;
}
