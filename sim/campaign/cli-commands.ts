import { Option, type Command } from 'commander';
import { EXIT_OK } from '../errors.ts';
import { action, commandNamed, newCommand, wholeNumber, type CliCommand } from '../cli/common.ts';

/**
 * What the worker and merge commands run, loaded when they run: BullMQ and ioredis are hundreds of
 * modules that every other `reglab` command (run, above all) must not pay for at start.
 */
const campaignActions = async () => {
  const [{ guarded }, { mergeDirs }, { parseQueueUrl }, { startQueueWorker }] = await Promise.all([
    import('./cli-actions.ts'),
    import('./merge.ts'),
    import('./redis-url.ts'),
    import('./queue-worker.ts'),
  ]);
  return { guarded, mergeDirs, parseQueueUrl, startQueueWorker };
};

/**
 * The campaign's options on `sweep` and `compare` (whose actions call cmdSweep / cmdCompare), and
 * the `worker` and `merge` commands. Registered after sweep and compare (sim/cli/commands.ts).
 */
export const campaignOptions: CliCommand = {
  register(program) {
    for (const name of ['sweep', 'compare']) {
      commandNamed(program, name)
        .option('--queue <redis-url>', 'distribute the runs as BullMQ jobs on this Redis (redis://[user:password@]HOST:PORT[/DB]); start `reglab worker` on each machine')
        .option('--resume', 're-attach to the campaign recorded in --out DIR (refused if DIR holds another)')
        .option('--fresh', 'recompute every run, even those already finished (in DIR/runs or the queue)')
        .option('--shard <i/n>', 'run only slice i of n (i from 0), e.g. $SLURM_ARRAY_TASK_ID/N; then `reglab merge DIR…`')
        .addHelpText(
          'after',
          `
campaigns: finished runs are kept in DIR/runs by content key and reused when the command runs again.
  reglab ${name} … --out DIR --queue redis://127.0.0.1:6379     # and on each machine: reglab worker --queue redis://…
  reglab ${name} … --out DIR/s3 --shard 3/8                      # one slice; reglab merge DIR/s0 … DIR/s7`,
        );
    }
  },
};

const parseConcurrency = wholeNumber('--concurrency', 1, 256);
const parseLock = wholeNumber('--lock-duration', 1000, 3_600_000);

export const workerCommand: CliCommand = {
  register(program, ctx) {
    newCommand(program, {
      name: 'worker',
      summary: 'take campaign runs from a BullMQ queue until stopped',
      description:
        'Takes runs of `reglab sweep|compare --queue` from Redis and runs them (each on its own thread).\n' +
        'Only runs of the same RegLab version are taken. Ctrl-C finishes the current runs; Ctrl-C twice returns them to the queue.',
    })
      .requiredOption('--queue <redis-url>', 'the Redis of the campaigns (redis://[user:password@]HOST:PORT[/DB])')
      .option('--concurrency <n>', 'runs at once (1 … 256; one per core is right for CPU-bound runs)', parseConcurrency, 1)
      .addOption(new Option('--lock-duration <ms>', "how long a run's lock lasts unrenewed: a killed worker's run is retried by another after this").argParser(parseLock).default(30_000))
      .option('-q, --quiet', 'no line per finished run', false)
      .action(action(ctx, async (opts: { queue: string; concurrency: number; lockDuration: number; quiet: boolean }) => (await campaignActions()).guarded(() => runWorker(opts))));
  },
};

async function runWorker(opts: { queue: string; concurrency: number; lockDuration: number; quiet: boolean }): Promise<number> {
  const { parseQueueUrl, startQueueWorker } = await campaignActions();
  const url = parseQueueUrl(opts.queue);
  const w = await startQueueWorker({
    url,
    concurrency: opts.concurrency,
    lockDurationMs: opts.lockDuration,
    log: (line) => {
      if (!opts.quiet || !line.startsWith('  ')) console.error(line);
    },
  });
  let presses = 0;
  const onSignal = () => {
    presses++;
    if (presses === 1) {
      console.error('stopping: finishing the current runs (Ctrl-C again returns them to the queue)');
      void w.stop();
    } else {
      console.error('stopping now: returning the current runs to the queue');
      void w.returnJobs();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await w.stopped;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  console.error(`worker ${w.id} stopped`);
  return EXIT_OK;
}

export const mergeCommand: CliCommand = {
  register(program, ctx) {
    const cmd: Command = newCommand(program, {
      name: 'merge',
      summary: "build a sharded campaign's sweep.csv / compare.csv from its shards' directories",
      description: 'Reads DIR/campaign.json and DIR/runs of every shard (`--shard i/n --out DIR`) and writes the same table a local run writes.',
    })
      .argument('<dir...>', 'the --out DIR of each shard')
      .option('--out <dir>', 'where the table goes (default: the first DIR)');
    cmd.action(
      action(ctx, async (dirs: string[], opts: { out?: string }) => {
        const { guarded, mergeDirs } = await campaignActions();
        return guarded(async () => mergeDirs(dirs, opts.out));
      }),
    );
  },
};
