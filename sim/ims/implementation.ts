/**
 * The IMS domain as the scenario layer builds it: node classes, spec rules, capture frames and the
 * ICS probes. Loaded on demand by sim/scenario/types/ims.ts (NodeType.load), so a run whose scenario
 * names no IMS node never loads the SIP stack, the parser and the IMS nodes.
 */
export { MscIcs } from './msc-ics.ts';
export { Icscf } from './icscf.ts';
export { Scscf } from './scscf.ts';
export { Hss } from './hss.ts';
export { FarEnd } from './far-end.ts';
export { IMS_RULES } from './rules.ts';
export { imsPcapFrames } from './pcap.ts';
export { icsProbes } from './views.ts';
