#!/usr/bin/env node
// RegLab's command line. The sources are TypeScript, run through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../sim/cli.ts');
process.exitCode = await main(process.argv.slice(2));
