/**
 * The MSGin5G domain as the scenario layer builds it: node classes, spec rules, capture frames and
 * the gateway/server view probes. Loaded on demand by sim/scenario/types/msgin5g.ts (NodeType.load),
 * so a run whose scenario names no MSGin5G node never loads them.
 */
export { MessageGateway } from './gateway.ts';
export { Msgin5gServer } from './server.ts';
export { MSGIN5G_RULES } from './rules.ts';
export { msgin5gFrames } from './pcap.ts';
export { mismatchProbes } from './views.ts';
