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
 * A UE whose request is in flight (sent, neither answered nor timed out) is not compared: the server
 * may already hold what the answer on its way will tell the gateway — the ordinary gap of every
 * exchange, not a disagreement the protocol leaves behind. So the probes measure what remains
 * wrong once the exchanges under way have landed: UEs a policy gave up on, UEs waiting for a retry,
 * registrations a server lost.
 * Three probes, read at every sample (`observe.interval`) and at the end:
 *
 * - `msgin5g.mismatched-views`: (UE, server) pairs on which the two views differ;
 * - `msgin5g.only-at-server`: of those, registered at the server but not believed by any gateway
 *   (state the server keeps for nobody, e.g. a bulk committed by a server that crashed before answering);
 * - `msgin5g.only-at-gateway`: believed by a gateway but not at the server (messages to the UE
 *   fail, e.g. after a server lost a volatile store).
 *
 * Cost per sample: one pass over each gateway's UEs per server it serves (the common case: no two
 * gateways send the same UE to the same server), plus a pass over the UEs no gateway sends to that
 * server; overlapping gateways fall back to one scratch byte per UE. The three probes are computed
 * once per sample instant, when the first is read.
 */
export function mismatchProbes(nodes: readonly Node[]): { name: string; read(): number }[] {
  const servers = nodes.filter((n): n is Msgin5gServer => n instanceof Msgin5gServer);
  const gateways = nodes.filter((n): n is MessageGateway => n instanceof MessageGateway);
  if (servers.length === 0) return [];
  // Per server, how many gateways send each UE there (computed once: the UE ranges are configuration).
  const plans = servers.map((s) => {
    const cov = new Uint8Array(s.registered.length);
    for (const g of gateways) g.markServed(s.id, cov);
    let overlap = false;
    let uncovered = false;
    for (let u = 0; u < cov.length; u++) {
      if (cov[u] > 1) overlap = true;
      else if (cov[u] === 0) uncovered = true;
    }
    return { s, cov: overlap || uncovered ? cov : undefined, overlap };
  });
  let scratch: Uint8Array | undefined;
  let at = -1;
  const acc = { onlyServer: 0, onlyGateway: 0 };
  const compute = () => {
    const now = servers[0].clockNow();
    if (now === at) return;
    at = now;
    acc.onlyServer = 0;
    acc.onlyGateway = 0;
    for (const { s, cov, overlap } of plans) {
      const reg = s.registered;
      if (!overlap) {
        for (const g of gateways) g.compareViews(s.id, reg, acc);
        // Registered at the server for a UE no gateway sends there: nobody believes it.
        if (cov !== undefined) for (let u = 0; u < reg.length; u++) if (cov[u] === 0 && reg[u]) acc.onlyServer++;
        continue;
      }
      if (scratch === undefined || scratch.length !== reg.length) scratch = new Uint8Array(reg.length);
      else scratch.fill(0);
      for (const g of gateways) g.markBeliefs(s.id, scratch, reg);
      for (let u = 0; u < reg.length; u++) {
        const a = reg[u];
        if (a !== scratch[u]) {
          if (a) acc.onlyServer++;
          else acc.onlyGateway++;
        }
      }
    }
  };
  const probe = (name: string, value: () => number) => ({
    name,
    read: () => {
      compute();
      return value();
    },
  });
  return [
    probe('msgin5g.mismatched-views', () => acc.onlyServer + acc.onlyGateway),
    probe('msgin5g.only-at-server', () => acc.onlyServer),
    probe('msgin5g.only-at-gateway', () => acc.onlyGateway),
  ];
}
