import type { CompareCliOpts } from '../campaign/cli-actions.ts';
import { action, collect, parseWorkers, scenarioCommand, wholeNumber, type CliCommand } from './common.ts';

export const compareCommand: CliCommand = {
  register(program, ctx) {
    scenarioCommand(program, {
      name: 'compare',
      summary: 'the same scenario under each policy, K seeds each: mean ± sd per metric',
      description:
        'Runs SCENARIO under each policy value for K seeds and prints mean ± sd per metric (DIR/compare.csv with --out).\n' +
        "An ffs/ scenario's own compare: section is the default question.",
      examples: ['reglab compare scenarios/ffs/ics-scscf-overload-mass-detach.yaml', 'reglab compare scenarios/ffs/ics-scscf-overload-mass-detach.yaml --seeds 10 --out runs/cmp'],
    })
      .option('--policy <path=a,b,…>', 'the policy field and at least two values')
      .option('--seeds <k>', 'seeds per policy (1 … 1000; default: the scenario\'s compare.seeds or 5)', wholeNumber('--seeds', 1, 1000))
      .option('--metric <column>', 'a headline column to compare (repeatable)', collect)
      .option('--workers <n>', 'parallel runs (1 … 64)', parseWorkers, 2)
      .option('--out <dir>', 'write compare.csv and manifest.json there')
      .action(action(ctx, async (file: string, opts: CompareCliOpts) => (await import('../campaign/cli-actions.ts')).cmdCompare(file, opts)));
  },
};
