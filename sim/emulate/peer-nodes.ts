import type { Node } from '../node/node.ts';
import { ImsNode } from '../ims/ims-node.ts';
import type { EmulateSection } from '../scenario/types/emulate.ts';

/**
 * The nodes real peers play (`emulate.nodes.<id>.external`), in the emulation and in its replay
 * alike: RegLab never runs them, and its rules judge none of their acts — the IMS context names
 * them, and a rule's clause about one of them is not applicable (sim/ims/rules.ts).
 */
export function handOverToPeers(nodes: readonly Node[], section: EmulateSection | undefined): void {
  const ctx = nodes.find((n): n is ImsNode => n instanceof ImsNode)?.ctx;
  for (const [id, cfg] of Object.entries(section?.nodes ?? {})) {
    if (cfg.external === undefined) continue;
    const i = nodes.findIndex((n) => n.id === id);
    if (i < 0) continue;
    nodes[i].stop();
    ctx?.peers.set(i, cfg.external.address);
  }
}
