import type { SweepCliOpts } from '../campaign/cli-actions.ts';
import { action, collect, parseWorkers, scenarioCommand, type CliCommand } from './common.ts';

export const sweepCommand: CliCommand = {
  register(program, ctx) {
    scenarioCommand(program, {
      name: 'sweep',
      summary: 'run every combination of varied values; one row per run in sweep.csv',
      description: 'Runs SCENARIO once per combination of the --vary values (a campaign: see sim/campaign) and writes DIR/sweep.csv.',
      examples: [
        'reglab sweep scenarios/sizing/ics-storm.yaml --vary nodes.scscf.workers=1,2,4 --out runs/sweep',
        'reglab sweep scenarios/learn/request-response.yaml --vary network.defaults.loss=0,1%,5% --vary seed=1,2 --out runs/loss',
      ],
    })
      .option('--vary <path=v1,v2,…>', 'a field and its values (repeatable: the runs are every combination)', collect)
      .option('--workers <n>', 'parallel runs (1 … 64)', parseWorkers, 2)
      .option('--out <dir>', 'where sweep.csv goes (required)')
      .action(action(ctx, async (file: string, opts: SweepCliOpts) => (await import('../campaign/cli-actions.ts')).cmdSweep(file, opts)));
  },
};
