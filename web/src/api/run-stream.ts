/** WS /api/stream (sim/server/api-types.ts): one run at a time; `run` commands are numbered (runId). */
import type { ClientCommand, RunEvent } from '../../../sim/server/api-types.ts';
import type { SocketRoute } from './command-socket.ts';
import { parseRunEvent } from './validate.ts';

export const RUN_ROUTE: SocketRoute<ClientCommand, RunEvent> = {
  path: '/api/stream',
  parse: parseRunEvent,
  error: (code, message) => ({ type: 'error', code, message }),
  numbered: (cmd) => cmd.type === 'run',
  lost: 'The connection to the RegLab server was lost. Is `reglab serve` still running?',
};

