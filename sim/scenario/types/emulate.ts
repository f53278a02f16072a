import { z } from 'zod';
import { Duration } from '../fields.ts';

/**
 * The `emulate:` section: where each node listens when the scenario runs in the emulation lab
 * (`reglab emulate`, docs/emulation.md), and which nodes are real peers outside RegLab. Ignored by
 * `reglab run`. Port 0 (the default) takes a free port; the lab prints every endpoint on start.
 */
const Port = z.number().int().min(0).max(65535).meta({ description: 'a TCP/UDP port, 0 for any free port' });

const Address = z
  .string()
  .regex(/^[0-9A-Za-z.:-]+:[0-9]{1,5}$/, "an address 'host:port' (e.g. 127.0.0.1:5060)")
  .meta({ description: "a real peer's address, host:port" });

const EmulateNode = z.strictObject({
  sip: Port.optional().meta({ description: 'SIP port (UDP and TCP on the same number, as RFC 3261 §18 servers do)' }),
  ws: Port.optional().meta({ description: 'SIP over WebSocket port (RFC 7118, subprotocol sip); absent: no WebSocket listener' }),
  diameter: Port.optional().meta({ description: 'Diameter (Cx) listening port, TCP (RFC 6733; 3868 in a real network)' }),
  http: Port.optional().meta({ description: 'HTTP/1.1 port of the MSGin5G API' }),
  originHost: z.string().min(1).optional().meta({ description: "Diameter Origin-Host (default: the model's <node>.<ims domain>)" }),
  originRealm: z.string().min(1).optional().meta({ description: "Diameter Origin-Realm (default: the model's IMS domain)" }),
  external: z
    .strictObject({ address: Address })
    .optional()
    .meta({ description: 'a real peer plays this node: RegLab sends to the address instead of running the node' }),
});

export const EMULATE_SECTION = z
  .strictObject({
    nodes: z.record(z.string(), EmulateNode).default({}).meta({ description: 'per node id: ports and external peers' }),
    watchdog: Duration.default(30_000_000_000).meta({ description: 'Diameter watchdog interval Tw (RFC 3539 §3.4.1, default 30s)' }),
  })
  .optional();

export type EmulateSection = NonNullable<z.output<typeof EMULATE_SECTION>>;
