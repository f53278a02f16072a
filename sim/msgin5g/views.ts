import type { Node } from '../node/node.ts';
import { MessageGateway } from './gateway.ts';
import { Msgin5gServer } from './server.ts';

/**
 * Do the Message Gateways and the MSGin5G Servers agree on who is registered? The consequence
 * metric of the failure policies (issue 5): a UE one side believes registered and the other not.
 *
 * For every server s and every UE u: the server's view is its store (`registered[u]`); the
 * gateways' view is whether a gateway that sends u to s believes u registered — registered, or in a
 * procedure that began with u registered (a gateway changes its mind only when it learns a result).
 * Three probes, read at every sample (`observe.interval`) and at the end:
 *
 * - `msgin5g.mismatched-views`: (UE, server) pairs on which the two views differ;
 * - `msgin5g.only-at-server`: of those, registered at the server but not believed by any gateway
 *   (state the server keeps for nobody, e.g. a bulk committed by a server that crashed before answering);
 * - `msgin5g.only-at-gateway`: believed by a gateway but not at the server (messages to the UE
 *   fail, e.g. after a server lost a volatile store).
 *
 * Cost: O(population + UEs of the gateways) per server per sample, with one scratch byte per UE.
 * The three probes are computed in one pass when the first is read; the other two return its
 * results for the same instant.
 */
export function mismatchProbes(nodes: readonly Node[]): { name: string; read(): number }[] {
  const servers = nodes.filter((n): n is Msgin5gServer => n instanceof Msgin5gServer);
  const gateways = nodes.filter((n): n is MessageGateway => n instanceof MessageGateway);
  if (servers.length === 0) return [];
  let scratch: Uint8Array | undefined;
  let at = -1;
  let onlyServer = 0;
  let onlyGateway = 0;
  const compute = () => {
    const now = servers[0].clockNow();
    if (now === at) return;
    at = now;
    onlyServer = 0;
    onlyGateway = 0;
    for (const s of servers) {
      const reg = s.registered;
      if (scratch === undefined || scratch.length !== reg.length) scratch = new Uint8Array(reg.length);
      else scratch.fill(0);
      for (const g of gateways) g.markBeliefs(s.id, scratch);
      for (let u = 0; u < reg.length; u++) {
        const a = reg[u];
        const b = scratch[u];
        if (a !== b) {
          if (a) onlyServer++;
          else onlyGateway++;
        }
      }
    }
  };
  return [
    {
      name: 'msgin5g.mismatched-views',
      read: () => {
        compute();
        return onlyServer + onlyGateway;
      },
    },
    {
      name: 'msgin5g.only-at-server',
      read: () => {
        compute();
        return onlyServer;
      },
    },
    {
      name: 'msgin5g.only-at-gateway',
      read: () => {
        compute();
        return onlyGateway;
      },
    },
  ];
}
