import { loadScenarioFile, ScenarioError } from '../scenario/load.ts';
import { EXIT_BAD_INPUT, EXIT_OK } from '../errors.ts';
import { action, newCommand, type CliCommand } from './common.ts';

export const validateCommand: CliCommand = {
  register(program, ctx) {
    newCommand(program, {
      name: 'validate',
      summary: 'check scenario files against the schema (nothing runs)',
      description: 'Checks each SCENARIO: one ok line per good file, field-level problems for bad ones; exit 2 if any is bad.',
      examples: ['reglab validate scenarios/*/*.yaml'],
    })
      .argument('<scenario...>', 'one or more scenario files')
      .action(action(ctx, (files: string[]) => cmdValidate(files)));
  },
};

function cmdValidate(files: string[]): number {
  let bad = 0;
  for (const f of files) {
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
