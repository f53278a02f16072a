/**
 * Stable error codes, in one place. Messages may improve; codes do not change, so scripts and the
 * dashboard can rely on them.
 */
export const ERROR_CODES = {
  E_SCENARIO: 'the scenario file (or a --set override) is invalid; every problem names its field',
  E_USAGE: 'the command line is wrong: unknown command or option, missing argument',
  E_OUT_DIR: '--out names a directory that exists and is not a RegLab run directory',
  E_PORT: 'the server cannot listen where asked: the port is in use (or needs privileges); --port N chooses another',
  E_API: 'a dashboard API request is malformed or names something unknown',
  E_RUN: 'the run itself failed (a bug: please report it with the scenario and seed)',
  E_QUEUE: '--queue names a Redis that cannot be reached or used (bad URL, refused, too old); the URL is shown without its password',
  E_CAMPAIGN: 'a campaign directory holds another campaign, or merge lacks runs: nothing is written',
  E_WORKER: 'the queue gave up on a run whose workers kept dying (BullMQ stalled-job limit)',
  E_LIMIT: 'a resource limit refused or stopped the run (memory, runs at once); the message names the limit and how to raise it',
  E_CANCELLED: 'the dashboard cancelled a run (a new run on the same socket, or a cancel command)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Exit codes (DESIGN, contracts): 0 success, 1 violated rules or failed procedures under --strict, 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_STRICT = 1;
export const EXIT_BAD_INPUT = 2;
