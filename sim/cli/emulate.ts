import { action, type CliCommand } from './common.ts';
import { cmdEmulate, EMULATE_USAGE } from '../emulate/command.ts';

/**
 * `reglab emulate`: the options are parsed by sim/emulate/command.ts itself (its own parseArgs), so
 * this module hands it the raw arguments; `--help` prints its usage.
 */
export const emulateCommand: CliCommand = {
  register(program, ctx) {
    program
      .command('emulate')
      .summary('run a scenario in real time on real loopback sockets')
      .description(EMULATE_USAGE.trim())
      .argument('[args...]', 'SCENARIO and its options')
      .allowUnknownOption()
      .helpOption('-h, --help', 'print this usage')
      .addHelpText('after', '\nexamples:\n  reglab emulate scenarios/emulate/ims-core-ics-detach.yaml --out runs/emu\n  reglab run scenarios/emulate/ims-core-ics-detach.yaml --replay runs/emu')
      .action(action(ctx, (args: string[]) => cmdEmulate(args)));
  },
};
