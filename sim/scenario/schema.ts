import { z } from 'zod';
import { Duration, Bandwidth, Probability, Rate, NodeId, Count, PositiveCount, withPurpose } from './fields.ts';
import { NODE_TYPES } from './node-types.ts';
import { SECTIONS } from './sections.ts';

/**
 * The scenario file schema (docs/scenario.schema.json is generated from it: `npm run schema`).
 * Strict everywhere: an unknown field is an error naming the fields allowed there.
 */

/** A node's parallel servers at most: each is an object and a pending event when busy. */
export const MAX_WORKERS = 100_000;
/** Trace records kept at most (each ~1.5 KB with its wire text). */
export const MAX_TRACE_LIMIT = 10_000_000;
/** The shortest sampling interval: 1 µs (an interval of 0 never advanced the sampler). */
export const MIN_INTERVAL_NS = 1_000;

const Cost = z
  .strictObject({
    perMessage: Duration.default(0),
    perEntry: Duration.default(0),
    perByte: Duration.default(0),
  })
  .meta({ description: 'service time = perMessage + perEntry × entries + perByte × bytes' });

const LinkFields = {
  delay: Duration.optional(),
  jitter: Duration.optional(),
  bandwidth: Bandwidth.optional(),
  loss: Probability.optional(),
  transport: z.enum(['datagram', 'stream']).optional().meta({ description: 'datagram: may lose and reorder; stream: reliable and ordered' }),
};

const Network = z.strictObject({
  defaults: z.strictObject(LinkFields).default({}),
  links: z
    .array(
      z.strictObject({
        between: z.tuple([NodeId, NodeId]).meta({ description: 'the two nodes this link joins (both directions)' }),
        ...LinkFields,
      }),
    )
    .default([]),
});

function nodeSchema(t: (typeof NODE_TYPES)[number]) {
  return z
    .strictObject({
      id: NodeId,
      type: z.literal(t.type),
      workers: z.number().int().min(1).max(MAX_WORKERS).default(1).meta({ description: `parallel servers of the service queue (1 … ${MAX_WORKERS})` }),
      queueLimit: z
        .union([Count, z.literal('none')])
        .default('none')
        .meta({ description: "messages that may wait before the node answers 'overloaded'" }),
      costs: z
        .record(z.string(), Cost)
        .default({})
        .meta({ description: "service cost per message kind; the key 'default' applies to kinds not listed" }),
      // prefault, not default: zod 4 returns a default as is, and the params' own defaults must apply.
      params: t.params.prefault({} as never),
    })
    .meta({ title: t.type, description: t.title });
}

const NodeDef = z.discriminatedUnion(
  'type',
  NODE_TYPES.map(nodeSchema) as unknown as [ReturnType<typeof nodeSchema>, ...ReturnType<typeof nodeSchema>[]],
);

const Pattern = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all-at-once'), at: Duration.default(0) }).meta({ description: 'every selected subscriber at the same instant' }),
  z
    .strictObject({ kind: z.literal('uniform'), start: Duration.default(0), window: Duration })
    .meta({ description: 'each selected subscriber once, at a time drawn uniformly from [start, start + window)' }),
  z
    .strictObject({
      kind: z.literal('poisson'),
      start: Duration.default(0),
      rate: Rate,
      count: Count.optional().meta({ description: 'arrivals (default: one per selected subscriber)' }),
      pick: z.enum(['sequential', 'random']).default('sequential').meta({ description: 'which subscriber each arrival concerns' }),
    })
    .meta({ description: 'arrivals of a Poisson process at the given rate' }),
  z
    .strictObject({
      kind: z.literal('csv'),
      file: z.string().min(1).meta({ description: 'CSV file (relative to the scenario file): time,subscriber[,event] per row' }),
      timeUnit: z.enum(['ns', 'us', 'ms', 's']).default('s').meta({ description: 'unit of bare numbers in the time column' }),
    })
    .meta({ description: 'replay of recorded events (e.g. real detach logs)' }),
]);

const Workload = z.strictObject({
  target: NodeId.meta({ description: 'node that receives the triggers (served by it like any message)' }),
  event: z.string().min(1).default('trigger').meta({ description: 'trigger kind the target node acts on' }),
  subscribers: z
    .strictObject({ from: Count.default(0), count: Count.optional() })
    .default({ from: 0 })
    .meta({ description: 'the range of subscriber ids concerned (default: all)' }),
  pattern: Pattern,
});

const FaultWindow = z
  .strictObject({ from: Duration.default(0), to: Duration.optional() })
  .default({ from: 0 })
  .meta({ description: 'when the rule acts: [from, to); default the whole run' });

const MessageMatch = z
  .strictObject({
    proto: z.string().optional().meta({ description: "protocol: 'sip', 'cx', 'msgin5g', …" }),
    kind: z
      .union([z.string(), z.array(z.string()).min(1)])
      .optional()
      .transform((k) => (k === undefined ? undefined : Array.isArray(k) ? k : [k]))
      .meta({ description: "message kind(s) as in traces: 'REGISTER', '200 REGISTER', 'UAR', …" }),
    from: NodeId.optional(),
    to: NodeId.optional(),
    subscriber: Count.optional(),
    procedure: z.string().optional().meta({ description: "the procedure the message belongs to, e.g. 'deregistration'" }),
  })
  .meta({ description: 'which messages the rule concerns; every field given must match' });

const LinkPair = z.tuple([NodeId, NodeId]).meta({ description: 'a link (both directions); omit for all links' });
const FaultName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a fault name has only letters, digits, '-', '_' and '.'").optional();

const OnStream = z
  .enum(['reset', 'discard'])
  .default('reset')
  .meta({
    description:
      "what losing a message on a stream (TCP/SCTP) link means: 'reset' — the connection fails and both ends' transaction layers report a transport error at once (RFC 3261 §18, §17.1.4; TCP never loses silently); 'discard' — the peer's application swallowed it above a connection that stays up (only the sender's timers find out). Datagram links just lose it.",
  });

const Fault = z.discriminatedUnion('kind', [
  z
    .strictObject({ kind: z.literal('loss'), name: FaultName, link: LinkPair.optional(), probability: Probability, window: FaultWindow, onStream: OnStream })
    .meta({ description: 'messages lost in flight' }),
  z
    .strictObject({ kind: z.literal('delay'), name: FaultName, link: LinkPair.optional(), match: MessageMatch.optional(), extra: Duration, probability: Probability.default(1), window: FaultWindow })
    .meta({ description: 'extra delay on matching messages' }),
  z
    .strictObject({ kind: z.literal('duplicate'), name: FaultName, link: LinkPair.optional(), match: MessageMatch.optional(), probability: Probability, window: FaultWindow })
    .meta({ description: 'an extra copy of matching messages' }),
  z
    .strictObject({ kind: z.literal('drop'), name: FaultName, match: MessageMatch, probability: Probability.default(1), window: FaultWindow, onStream: OnStream })
    .meta({ description: 'matching messages dropped, e.g. the 200 OK to a deregistration towards the MSC' }),
  z
    .strictObject({
      kind: z.literal('error'),
      name: FaultName,
      node: NodeId,
      match: MessageMatch.optional(),
      answer: z
        .strictObject({
          status: z.number().int().min(100).max(699).optional().meta({ description: 'SIP/HTTP status, e.g. 503' }),
          retryAfter: Duration.optional(),
          result: z.number().int().min(1).optional().meta({ description: 'Diameter result code, e.g. 5003' }),
          cause: z.string().optional().meta({ description: "protocol-specific cause, e.g. 'authentication-failed'" }),
        })
        .meta({ description: 'the error the node answers with instead of processing' }),
      probability: Probability.default(1),
      window: FaultWindow,
    })
    .meta({ description: 'the node answers with an error instead of processing' }),
  z
    .strictObject({ kind: z.literal('crash'), name: FaultName, node: NodeId, at: Duration, restartAfter: Duration.optional() })
    .meta({ description: 'the node crashes (volatile state lost) and restarts after restartAfter, if given' }),
  z
    .strictObject({ kind: z.literal('partition'), name: FaultName, between: z.tuple([NodeId, NodeId]), window: FaultWindow })
    .meta({ description: 'nothing passes between the two nodes' }),
  z
    .strictObject({
      kind: z.literal('overload'),
      name: FaultName,
      node: NodeId,
      window: FaultWindow,
      capacityFactor: z.number().gt(0).max(1).optional().meta({ description: 'share of normal capacity (0.25: service times ×4)' }),
      queueLimit: Count.optional(),
    })
    .meta({ description: "the node's capacity reduced or its queue limit lowered for a while" }),
]);

const Observe = z.strictObject({
  watch: z
    .strictObject({
      first: Count.optional().meta({ description: 'watch subscribers 0 … first-1' }),
      ids: z.array(Count).optional().meta({ description: 'watch these subscriber ids' }),
      every: PositiveCount.optional().meta({ description: 'watch every n-th subscriber' }),
    })
    .default({ first: 10 })
    .meta({ description: 'subscribers whose messages are traced in full (wire text, rules, ladder)' }),
  interval: withPurpose(Duration, 'time-series sampling interval (at least 1us)')
    .refine((v) => v >= MIN_INTERVAL_NS, { message: 'must be at least 1us — samples are taken every interval on every node' })
    .default(1_000_000_000),
  traceLimit: z.number().int().min(1).max(MAX_TRACE_LIMIT).default(100_000).meta({ description: `trace records kept at most (1 … ${MAX_TRACE_LIMIT})` }),
});

export const ScenarioSchema = z.strictObject({
  name: z.string().min(1).max(200).optional().meta({ description: 'a short title the dashboard shows (default: the file name)' }),
  description: z.string().min(1).meta({ description: 'what this scenario teaches or answers' }),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  duration: withPurpose(Duration, 'simulated time horizon; the run stops earlier when nothing is left to do'),
  network: Network.default({ defaults: {}, links: [] }),
  nodes: z.array(NodeDef).min(1),
  population: z.strictObject({ size: Count.meta({ description: 'number of subscribers (ids 0 … size-1)' }) }),
  workload: z.array(Workload).default([]),
  observe: Observe.default({ watch: { first: 10 }, interval: 1_000_000_000, traceLimit: 100_000 }),
  compare: z
    .strictObject({
      policy: z.string().min(1).meta({ description: 'the field path of the policy compared, e.g. nodes.msc1.params.deregFailure' }),
      values: z.array(z.string().min(1)).min(2).meta({ description: 'the policies (values of that field) to compare' }),
      seeds: PositiveCount.default(5).meta({ description: 'runs per policy, seeds seed … seed+seeds-1' }),
      metrics: z
        .array(z.string().min(1))
        .optional()
        .meta({ description: 'headline columns to show (docs/output-formats.md); default: procedures, messages, bytes and named signals' }),
    })
    .optional()
    .meta({ description: 'what `reglab compare` compares by default: the question an ffs/ scenario asks' }),
  sweeps: z
    .record(
      z.string().min(1).meta({ description: 'a field path in --set syntax, e.g. msgin5g.bulking.maxSize' }),
      z.array(z.union([z.string(), z.number(), z.boolean()])).min(2).meta({ description: 'the values to try, in order' }),
    )
    .optional()
    .meta({ description: 'suggested sweeps: field path → values; the dashboard offers them, `reglab sweep --vary path=v1,v2,…` runs one' }),
  faults: z.array(Fault).default([]).meta({ description: 'fault injection rules (docs/faults.md)' }),
  variants: z
    .record(
      z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a variant name has only letters, digits, '-', '_' and '.'"),
      z.array(z.string().min(1)).meta({ description: 'overrides in --set syntax: path=value' }),
    )
    .optional()
    .meta({ description: 'named sets of overrides; `reglab run` runs each on the same seed and compares them side by side' }),
  ...Object.fromEntries(Object.entries(SECTIONS).map(([name, s]) => [name, s.optional()])),
});

export type ScenarioInput = z.input<typeof ScenarioSchema>;
export type ScenarioDoc = z.output<typeof ScenarioSchema>;
export type NodeDefOut = ScenarioDoc['nodes'][number];
export type WorkloadOut = ScenarioDoc['workload'][number];
export type PatternOut = WorkloadOut['pattern'];

/** The JSON Schema editors use to complete scenario files. */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', unrepresentable: 'any' });
}
