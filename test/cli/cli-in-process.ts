import { afterEach, beforeEach, mock } from 'node:test';
import { main } from '../../sim/cli.ts';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/**
 * `reglab ARGS…` called in this process through main(), console.log / console.error captured per
 * call: fast, for argument handling and exit codes. Registers its own beforeEach / afterEach, so
 * call it once at the top of a test file. (test/reglab-process.ts runs the real process instead.)
 */
export function reglabInProcess(): (...args: string[]) => Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  beforeEach(() => {
    mock.method(console, 'log', (...a: unknown[]) => void out.push(a.join(' ')));
    mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
  });
  afterEach(() => mock.restoreAll());
  return async (...args) => {
    out.length = 0;
    err.length = 0;
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
}
