import { Command, CommanderError } from 'commander';
import { ScenarioError } from './scenario/load.ts';
import { REGLAB_VERSION } from './version.ts';
import { EXIT_BAD_INPUT, EXIT_OK, EXIT_STRICT } from './errors.ts';
import { COMMANDS } from './cli/commands.ts';
import type { CliContext } from './cli/common.ts';

/**
 * RegLab's command line: commander parses, each command lives in its own module under sim/cli/
 * (listed in sim/cli/commands.ts). Every failure is one line `reglab: what — fix [CODE]`;
 * exit codes 0 success, 1 --strict findings, 2 bad input.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('reglab')
    .description(`reglab ${REGLAB_VERSION} — 3GPP registration-on-behalf simulator`)
    .version(REGLAB_VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show usage (every command has its own: reglab run --help)')
    .helpCommand('help [command]', 'show usage of a command')
    .addHelpText('after', '\nexit codes: 0 success, 1 rules violated or procedures failed (with --strict), 2 bad input')
    .showSuggestionAfterError(true);
  for (const c of COMMANDS) c.register(program, ctx);
  configure(program);
  return program;
}

/** Every command, however deep: output through console (so tests and the server can capture it), errors thrown. */
function configure(cmd: Command): void {
  cmd
    .exitOverride()
    .configureOutput({
      writeOut: (s) => console.log(s.replace(/\n$/, '')),
      writeErr: (s) => console.error(s.replace(/\n$/, '')),
      // Printed by main() as one line with its code.
      outputError: () => {},
    });
  for (const sub of cmd.commands) configure(sub);
}

export async function main(argv: string[]): Promise<number> {
  const ctx: CliContext = { exitCode: EXIT_OK };
  const program = buildProgram(ctx);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT_BAD_INPUT;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    return report(err, argv, program);
  }
}

/** One line per failure; a stack trace only for a bug, and only with REGLAB_DEBUG=1. */
function report(err: unknown, argv: string[], program: Command): number {
  if (err instanceof CommanderError) {
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return EXIT_OK;
    const cmd = program.commands.find((c) => c.name() === argv[0]);
    // commander's texts start with 'error: '; an option parser's own message follows 'is invalid. '.
    const what = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').replace(/^option '[^']*' argument '[^']*' is invalid\. /, '');
    if (err.code === 'commander.unknownCommand') {
      console.error(`reglab: ${what} [E_USAGE]\n`);
      program.outputHelp({ error: true });
    } else {
      console.error(`reglab: ${what} — see 'reglab ${cmd ? `${cmd.name()} ` : ''}--help' [E_USAGE]`);
    }
    return EXIT_BAD_INPUT;
  }
  if (err instanceof ScenarioError) {
    console.error(`reglab: invalid scenario [${err.code}]\n${err.message}`);
    return EXIT_BAD_INPUT;
  }
  const e = err as Error & { code?: string };
  if (e?.code === 'E_OUT_DIR' || e?.code === 'E_USAGE' || e?.code === 'E_QUEUE' || e?.code === 'E_CAMPAIGN' || e?.code === 'E_PORT') {
    console.error(`reglab: ${e.message} [${e.code}]`);
    return EXIT_BAD_INPUT;
  }
  console.error(`reglab: internal error: ${e?.message ?? String(err)} [E_RUN] — a bug: please report it with the command line${process.env.REGLAB_DEBUG ? '' : ' (REGLAB_DEBUG=1 shows the stack)'}`);
  if (process.env.REGLAB_DEBUG) console.error(e?.stack);
  return EXIT_STRICT;
}
