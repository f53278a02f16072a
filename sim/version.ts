import { readFileSync } from 'node:fs';

/** RegLab's version, from package.json (recorded in every run's summary and manifest). */
export const REGLAB_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
