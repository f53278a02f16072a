import { InvalidArgumentError, type Command } from 'commander';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_OK } from '../errors.ts';

/** The repository root (defaults such as scenarios/ and docs/ are found from here). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * What a command module gets: the exit code slot its action fills. An action returns its exit code
 * (0 ok, 1 --strict findings, 2 bad input); throw `usageError` or a ScenarioError for bad input.
 */
export interface CliContext {
  exitCode: number;
}

/**
 * A command module: adds one command (or options to a command another module added) to the program.
 * sim/cli/commands.ts lists them; a new command is a new file plus one line there.
 */
export interface CliCommand {
  register(program: Command, ctx: CliContext): void;
}

/** Wraps a command's action so its returned exit code reaches main(). */
export function action<A extends unknown[]>(ctx: CliContext, fn: (...args: A) => number | Promise<number>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    ctx.exitCode = (await fn(...args)) ?? EXIT_OK;
  };
}

/** The command another module registered, e.g. to add `--queue` to `sweep` from a campaign module. */
export function commandNamed(program: Command, name: string): Command {
  const c = program.commands.find((x) => x.name() === name);
  if (!c) throw new Error(`reglab cli: no command '${name}' registered yet (check the order in sim/cli/commands.ts)`);
  return c;
}

export function usageError(message: string): Error {
  return Object.assign(new Error(message), { code: 'E_USAGE' });
}

/** commander's repeatable option: `--set a=1 --set b=2` → ['a=1', 'b=2']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A whole-number option parser for commander: refuses '1.5', '1e3', '-1' with the allowed range. */
export function wholeNumber(flag: string, min: number, max: number): (v: string) => number {
  return (v: string) => {
    if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new InvalidArgumentError(`${flag} ${v}: expected a whole number from ${min} to ${max}`);
    }
    return Number(v);
  };
}

export const parseSeed = wholeNumber('--seed', 0, 2 ** 32 - 1);
export const parseWorkers = wholeNumber('--workers', 1, 64);

/** What a command shows in `reglab --help` (summary) and `reglab NAME --help` (description, examples). */
export interface CommandHelp {
  name: string;
  summary: string;
  description: string;
  /** Command lines shown under "examples:" after the options (a `# why` may follow each). */
  examples?: string[];
}

/** Adds a command with its help texts: every command's help has the same shape. */
export function newCommand(program: Command, help: CommandHelp): Command {
  const cmd = program.command(help.name).summary(help.summary).description(help.description);
  if (help.examples) cmd.addHelpText('after', `\nexamples:\n${help.examples.map((e) => `  ${e}`).join('\n')}`);
  return cmd;
}

/** A command that runs one SCENARIO file: its help, the scenario argument and the options every such command shares. */
export function scenarioCommand(program: Command, help: CommandHelp, scenarioHelp = 'a scenario file'): Command {
  return runOptions(newCommand(program, help).argument('<scenario>', scenarioHelp));
}

/** The options every command that runs scenarios shares. */
export function runOptions(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'the seed (default: the scenario\'s seed:)', parseSeed)
    .option('--set <path=value>', 'override a field before validation (repeatable), e.g. --set network.defaults.loss=1%', collect)
    .option('-q, --quiet', 'no progress on stderr');
}
