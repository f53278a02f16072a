import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_OK } from '../errors.ts';
import { action, collect, newCommand, ROOT, wholeNumber, type CliCommand } from './common.ts';
import { defaultRunLimits } from '../server/run-workers.ts';

interface ServeOpts {
  port: number;
  host: string;
  buildIfNeeded?: boolean;
  scenarios?: string;
  runHeapMb?: number;
  maxRuns?: number;
  queue?: string;
  allowHost?: string[];
  emulateHost?: string[];
  dataDir?: string;
}

/** npm start's port: when it is taken, the next free one of this many is used (and printed). */
const DEFAULT_PORT_FALLBACK = 20;

const parsePort = wholeNumber('--port', 0, 65535);

export const serveCommand: CliCommand = {
  register(program, ctx) {
    newCommand(program, {
      name: 'serve',
      summary: 'the dashboard and its API (http://127.0.0.1:8080 by default)',
      description: 'Serves the dashboard and its HTTP + WebSocket API. Listens on 127.0.0.1 only unless --host says otherwise.',
      examples: ['reglab serve', 'reglab serve --port 0            # any free port, printed', 'npm start                         # serve --build-if-needed'],
    })
      .option('--port <n>', `TCP port (0: any free port; the default moves to the next free one of ${DEFAULT_PORT_FALLBACK} when taken)`, (v: string) => parsePort(v.trim() === '' ? 'x' : v), 8080)
      .option('--host <addr>', 'address to listen on', '127.0.0.1')
      .option('--allow-host <name>', 'a host name the dashboard is reached by, besides localhost and IP addresses (repeatable; DNS rebinding defence)', collect)
      .option('--emulate-host <addr>', "an address besides 127.0.0.1 the dashboard may start emulations on (repeatable; their nodes are then reachable from that network)", collect)
      .option('--data-dir <dir>', 'the folder files a scenario references (CSV replays) must lie in (default: the scenarios folder)')
      .option('--build-if-needed', 'build the web app first if web/dist is missing or stale')
      .option('--scenarios <dir>', 'the scenarios folder the dashboard lists (default: scenarios/)')
      .option('--run-heap-mb <mb>', `heap limit of one run's worker thread (default: ${defaultRunLimits().heapMb}, a share of this machine's memory)`, wholeNumber('--run-heap-mb', 64, 1 << 20))
      .option('--max-runs <n>', `runs at once over all clients (default: ${defaultRunLimits().maxRuns})`, wholeNumber('--max-runs', 1, 64))
      .option('--queue <redis-url>', "show the progress of distributed campaigns on this Redis (GET /api/queue; see reglab sweep --queue)")
      .action(action(ctx, (opts: ServeOpts, cmd: Command) => cmdServe(opts, cmd.getOptionValueSource('port') === 'default')));
  },
};

async function cmdServe(opts: ServeOpts, defaultPort: boolean): Promise<number> {
  const { startServer } = await import('../server/server.ts');
  const server = await startServer({
    host: opts.host,
    port: opts.port,
    scenariosDir: resolve(opts.scenarios ?? resolve(ROOT, 'scenarios')),
    buildIfNeeded: opts.buildIfNeeded ?? false,
    log: (line) => console.error(line),
    queue: opts.queue,
    allowHosts: opts.allowHost,
    emulateHosts: opts.emulateHost,
    dataDir: opts.dataDir ? resolve(opts.dataDir) : undefined,
    portFallback: defaultPort ? DEFAULT_PORT_FALLBACK : 0,
    runLimits: { ...(opts.runHeapMb ? { heapMb: opts.runHeapMb } : {}), ...(opts.maxRuns ? { maxRuns: opts.maxRuns } : {}) },
  });
  console.log(`RegLab dashboard: ${server.url}`);
  for (const h of opts.emulateHost ?? []) console.error(`warning: the dashboard may start emulations listening on ${h}: anyone who can reach it can talk to their nodes`);
  await new Promise<void>((res) => {
    const stop = () => res();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return EXIT_OK;
}
