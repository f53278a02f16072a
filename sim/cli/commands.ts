import type { CliCommand } from './common.ts';
import { runCommand } from './run.ts';
import { sweepCommand } from './sweep.ts';
import { compareCommand } from './compare.ts';
import { validateCommand } from './validate.ts';
import { schemaCommand } from './schema.ts';
import { serveCommand } from './serve.ts';
import { emulateCommand } from './emulate.ts';
import { campaignOptions, workerCommand, mergeCommand } from '../campaign/cli-commands.ts';

/**
 * Every command module, in the order `reglab --help` lists them. A new command (emulate, worker,
 * merge, …) is its own file exporting a CliCommand, plus one line here; a module that adds options to
 * an existing command (e.g. `--queue` on sweep) comes after it and uses commandNamed().
 */
export const COMMANDS: CliCommand[] = [
  runCommand,
  sweepCommand,
  compareCommand,
  campaignOptions,
  workerCommand,
  mergeCommand,
  validateCommand,
  schemaCommand,
  serveCommand,
  emulateCommand,
];
