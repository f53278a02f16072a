import { resolve } from 'node:path';
import { scenarioJsonSchema } from '../scenario/schema.ts';
import { EXIT_OK } from '../errors.ts';
import { action, newCommand, ROOT, type CliCommand } from './common.ts';
import { writeOutFile } from './out-path.ts';

export const schemaCommand: CliCommand = {
  register(program, ctx) {
    newCommand(program, {
      name: 'schema',
      summary: 'write the scenario JSON Schema (for editors and validators)',
      description: 'Writes the JSON Schema of scenario files, generated from the same zod schema the loader uses.',
      examples: ['reglab schema', 'reglab schema --out - | jq .properties.observe'],
    })
      .option('--out <file>', "where to write it; '-' for stdout (default: docs/scenario.schema.json)")
      .action(action(ctx, (opts: { out?: string }) => cmdSchema(opts.out)));
  },
};

function cmdSchema(out: string | undefined): number {
  const text = JSON.stringify({ ...(scenarioJsonSchema() as object), title: 'RegLab scenario' }, null, 2) + '\n';
  if (out === '-') {
    process.stdout.write(text);
    return EXIT_OK;
  }
  const file = out === undefined ? resolve(ROOT, 'docs/scenario.schema.json') : resolve(out);
  writeOutFile(file, text);
  console.log(`wrote ${file}`);
  return EXIT_OK;
}
