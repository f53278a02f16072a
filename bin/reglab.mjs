#!/usr/bin/env node
// RegLab's command line. The sources are TypeScript, run through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
// A reader that stops early (`reglab --help | head -1`) closes the pipe: end quietly, as Unix tools
// do, instead of an unhandled EPIPE stack trace.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
const { main } = await import('../sim/cli.ts');
process.exitCode = await main(process.argv.slice(2));
