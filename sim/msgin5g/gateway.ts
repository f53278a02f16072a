import { GatewayFailures } from './gateway-failures.ts';

export type { GatewayConfig } from './gateway-shell.ts';

/**
 * The Message Gateway (TS 23.554 §5.3.4), assembled from its parts: the shell (state, lifecycle,
 * triggers: gateway-shell.ts), the batcher (§8.2.X step 1: gateway-batcher.ts), the connection pool
 * (gateway-pool.ts) and failure handling (the FFS policies: gateway-failures.ts).
 */
export class MessageGateway extends GatewayFailures {}
