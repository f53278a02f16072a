import { z } from 'zod';
import type { NodeType } from '../node-type.ts';
import { Duration, NodeId } from '../fields.ts';
import { GenClient, GenRelay, GenServer } from '../../generic/gen-nodes.ts';
import { GEN_RULES } from '../../generic/gen-rules.ts';

const ClientParams = z.strictObject({
  via: NodeId.meta({ description: 'first hop: a gen-relay or the gen-server' }),
  timeout: Duration.default(2_000_000_000),
  payload: z.number().int().min(0).default(100).meta({ description: 'request payload bytes' }),
});

const RelayParams = z.strictObject({
  next: NodeId.meta({ description: 'next hop towards the server' }),
});

const ServerParams = z.strictObject({
  payload: z.number().int().min(0).default(200).meta({ description: 'response payload bytes' }),
});

export const GEN_NODE_TYPES: NodeType[] = [
  {
    type: 'gen-client',
    title: 'Generic client: a request per trigger, waits for the answer or times out',
    params: ClientParams,
    refs: (p: z.output<typeof ClientParams>) => [['via', p.via]],
    create: (id, ctx, p, env) => new GenClient(id, ctx, p, env.indexOf),
    bytesPerSubscriber: 0,
    rules: GEN_RULES,
  },
  {
    type: 'gen-relay',
    title: 'Generic relay: forwards requests, returns answers along Via',
    params: RelayParams,
    refs: (p: z.output<typeof RelayParams>) => [['next', p.next]],
    create: (id, ctx, p, env) => new GenRelay(id, ctx, p, env.indexOf),
    bytesPerSubscriber: 0,
  },
  {
    type: 'gen-server',
    title: 'Generic server: answers every request',
    params: ServerParams,
    refs: () => [],
    create: (id, ctx, p, env) => new GenServer(id, ctx, p, env.indexOf),
    bytesPerSubscriber: 0,
  },
];
