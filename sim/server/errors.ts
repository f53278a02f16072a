/**
 * The codes the dashboard API puts in `error` events. They are the project's stable codes
 * (sim/errors.ts): E_API for a malformed command or an unknown scenario, E_SCENARIO for a scenario
 * that fails validation, E_RUN for a run that threw, E_LIMIT for a run refused or stopped by a
 * resource limit (memory, runs at once). E_CANCELLED is the one the stream adds: the
 * end of a run stopped by a `cancel` command (not a failure; the dashboard shows it as such).
 */
import type { ErrorCode } from '../errors.ts';

export const API_ERRORS = {
  E_API: 'E_API',
  E_SCENARIO: 'E_SCENARIO',
  E_RUN: 'E_RUN',
  E_CANCELLED: 'E_CANCELLED',
  E_LIMIT: 'E_LIMIT',
} as const satisfies Record<string, ErrorCode | 'E_CANCELLED'>;

export type ApiErrorCode = (typeof API_ERRORS)[keyof typeof API_ERRORS];

/** An API input error: a code, a one-line message naming the field, and optional detail lines. */
export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly problems?: string[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
