import { z } from 'zod';
import { lazyImplementation, type NodeType, type BuildEnv } from '../node-type.ts';
import { Count, Duration, NodeId, PositiveCount, Probability } from '../fields.ts';
import { CAUSE_LIST } from '../../msgin5g/causes.ts';
import { DEFAULT_PROFILES, IdTemplate, UeDirectory, type UeSettings } from '../../msgin5g/ue-directory.ts';
import { SERVICE_ID_RE } from '../../msgin5g/validate.ts';
import { ScenarioError } from '../scenario-error.ts';
import type * as Msgin5g from '../../msgin5g/implementation.ts';

/**
 * The MSGin5G domain in scenario files: the `msgin5g:` section (UEs, profiles and the named
 * policies every MSGin5G node consults) and the node types `message-gateway` and `msgin5g-server`.
 * docs/msgin5g.md explains every field; docs/policies.md every policy.
 */

const TEMPLATE_HELP = 'a template with exactly one {n} (the UE index) or {n:W} (zero-padded to W digits)';

function template(check?: (rendered: string) => boolean, what = '') {
  return z.string().superRefine((s, ctx) => {
    let t: IdTemplate;
    try {
      t = new IdTemplate(s);
    } catch {
      ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)} is not ${TEMPLATE_HELP}` });
      return;
    }
    if (check && !check(t.render(12345))) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)} renders ${JSON.stringify(t.render(12345))}, ${what}` });
  });
}

const Ues = z
  .strictObject({
    serviceIdTemplate: template((r) => SERVICE_ID_RE.test(r), "not a UE Service ID (use letters, digits and -._~!$&'()*+,;=:@ only)")
      .default('ue{n}@msgin5g.example.net')
      .meta({ description: `UE Service IDs: ${TEMPLATE_HELP}` }),
    triggerIdTemplate: template((r) => r.length > 0 && !/["\\\u0000-\u001f]/.test(r), 'which cannot go in JSON unescaped')
      .default('+1555{n:7}')
      .meta({ description: `UE Identifier (MSISDN / external ID) in a profile's triggering information: ${TEMPLATE_HELP}` }),
    profileShare: Probability.default(0.5).meta({ description: 'share of UEs with an MSGin5G Client Profile (which one: drawn per UE from the catalogue)' }),
    urgentShare: Probability.default(0).meta({ description: 'share of UEs whose requests are urgent: never bulked' }),
    badCredentials: z.array(Count).default([]).meta({ description: 'UEs (indices) whose credential at the gateway is wrong: their authentication fails' }),
    badCredentialShare: Probability.default(0).meta({ description: 'share of UEs with a wrong credential' }),
    unauthorised: z.array(Count).default([]).meta({ description: 'UEs (indices) the server does not authorise for the MSGin5G Service' }),
    unauthorisedShare: Probability.default(0).meta({ description: 'share of UEs the server does not authorise' }),
  })
  .meta({ description: 'the Non-MSGin5G UEs: identities, credentials, profiles (nothing stored per UE: every fact is a function of the UE index)' });

/** The UEs of a scenario whose `msgin5g.ues` says nothing (tests and benchmarks start from these too). */
export const DEFAULT_UES: UeSettings = Ues.parse({});

const Profile = z
  .strictObject({
    triggering: z
      .strictObject({ protocol: z.string().min(1), ports: z.array(z.number().int().min(1).max(65535)).min(1) })
      .optional()
      .meta({ description: 'MSGin5G Client Triggering Information (the UE Identifier comes from ues.triggerIdTemplate)' }),
    availability: z
      .strictObject({ periodicity: PositiveCount.meta({ description: 'seconds' }), duration: Count.meta({ description: 'seconds' }) })
      .optional()
      .meta({ description: 'MSGin5G Client Communication Availability' }),
    maxSegmentSize: PositiveCount.optional().meta({ description: 'MSGin5G Client Supported Maximum MSGin5G segment size (bytes)' }),
  })
  .meta({ description: 'an MSGin5G Client Profile template' });

const Adaptive = z
  .strictObject({
    policy: z
      .enum(['fixed', 'aimd'])
      .default('fixed')
      .meta({ description: 'fixed: the limit is maxSize; aimd: +increase per answered bulk, ×decrease per bulk that fails whole (timeout, 503)' }),
    increase: PositiveCount.default(1).meta({ description: 'aimd: entries added to the limit per answered bulk' }),
    decrease: z
      .number()
      .gt(0, { message: 'must be above 0 — the limit is multiplied by it' })
      .lt(1, { message: 'must be below 1 — a decrease that does not shrink the limit is no decrease' })
      .default(0.5)
      .meta({ description: 'aimd: factor applied to the limit per bulk that fails whole' }),
    floor: PositiveCount.default(2).meta({ description: 'aimd: the limit never goes below this' }),
  })
  .meta({ description: 'adaptive bulk size (docs/policies.md)' });

const Bulking = z
  .strictObject({
    maxSize: PositiveCount.default(100).meta({ description: 'a batch is sent when it holds this many entries; 1 turns bulking off (individual procedure for every UE)' }),
    minSize: PositiveCount.default(2).meta({ description: 'a batch that closes with fewer entries goes as individual requests' }),
    window: Duration.default(50_000_000).meta({ description: 'longest wait for a batch to fill, from its first entry' }),
    adaptive: Adaptive.prefault({}),
  })
  .superRefine((b, ctx) => {
    if (b.maxSize > 1 && b.minSize > b.maxSize) {
      ctx.addIssue({ code: 'custom', path: ['minSize'], message: `${b.minSize} is larger than maxSize ${b.maxSize} — no batch could ever be sent as a bulk; lower minSize or raise maxSize` });
    }
    if (b.adaptive.policy === 'aimd' && b.maxSize > 1 && b.adaptive.floor > b.maxSize) {
      ctx.addIssue({ code: 'custom', path: ['adaptive', 'floor'], message: `${b.adaptive.floor} is larger than maxSize ${b.maxSize} — the limit could never move; lower floor or raise maxSize` });
    }
  })
  .meta({ description: 'the bulking policy (§8.2.X step 1): docs/policies.md' });

const CauseName = z.enum(CAUSE_LIST as [string, ...string[]]);

const EntryFailure = z
  .strictObject({
    policy: z.enum(['retry-individually', 'retry-in-bulk', 'give-up']).default('retry-individually'),
    delay: Duration.default(1_000_000_000),
    maxRetries: Count.max(255).default(1),
    causes: z.union([z.literal('all'), z.array(CauseName).min(1)]).default('all').meta({ description: "failure causes retried ('all', or a list)" }),
  })
  .meta({ description: 'what the gateway does with an entry answered with a failure: docs/policies.md' });

const RequestFailure = z
  .strictObject({
    policy: z
      .enum(['resend', 'split', 'retry-individually', 'give-up'])
      .default('resend')
      .meta({ description: 'resend the same request; split a bulk in halves; retry its entries individually; or give up' }),
    delay: Duration.default(1_000_000_000),
    backoff: z.number().min(1).default(2).meta({ description: 'each retry waits delay × backoff^retries' }),
    maxRetries: Count.max(255).default(3),
  })
  .meta({ description: 'what the gateway does when a whole request fails (timeout, 503): docs/policies.md' });

const Refresh = z
  .strictObject({
    interval: Duration.default(0).meta({ description: 'every interval the gateway registers again every UE it believes registered; 0 = never' }),
  })
  .meta({ description: 'periodic re-registration, the way back to agreeing views after a server lost its store: docs/policies.md' });

const SegmentLossSettings = z
  .strictObject({
    segmentSize: Count.default(0).meta({
      description: 'bytes per segment: on a datagram link with loss q a message of k segments arrives with (1−q)^k; 0 = loss per message whatever its size',
    }),
  })
  .meta({ description: 'size-dependent loss of MSGin5G messages on datagram links (docs/msgin5g.md)' });

export const Msgin5gSection = z
  .strictObject({
    ues: Ues.prefault({}),
    profiles: z.array(Profile).default(DEFAULT_PROFILES).meta({ description: 'the MSGin5G Client Profile catalogue' }),
    bulking: Bulking.prefault({}),
    authentication: z
      .enum(['trusted-gateway', 'per-ue'])
      .default('trusted-gateway')
      .meta({ description: 'trusted-gateway: credentials checked per entry, no extra messages; per-ue: one challenge round trip with the gateway per UE' }),
    entryFailure: EntryFailure.prefault({}),
    requestFailure: RequestFailure.prefault({}),
    refresh: Refresh.prefault({}),
    segmentLoss: SegmentLossSettings.prefault({}),
  })
  .meta({ description: 'MSGin5G (TS 23.554 §8.2.3, §8.2.4, §8.2.X): UEs, profiles and policies (docs/msgin5g.md)' });

export type Msgin5gSectionOut = z.output<typeof Msgin5gSection>;

const GatewayParams = z.strictObject({
  kind: z
    .enum(['legacy-3gpp', 'non-3gpp'])
    .default('legacy-3gpp')
    .meta({ description: 'Legacy 3GPP Message Gateway (MSGin5G-2) or Non-3GPP Message Gateway (MSGin5G-4)' }),
  servers: z.array(NodeId).min(1).meta({ description: 'MSGin5G Server node(s); UE u goes to servers[u mod n]' }),
  ues: z
    .strictObject({ from: Count.default(0), count: Count.optional() })
    .prefault({})
    .meta({ description: 'the UEs this gateway acts for: indices from … from+count-1 (default: the whole population)' }),
  connections: PositiveCount.max(1_000_000)
    .default(32)
    .meta({ description: 'HTTP/1.1 connections per server: at most this many requests (individual or bulk) outstanding' }),
  requestTimeout: Duration.default(10_000_000_000).meta({ description: 'no answer after this long: the request failed (requestFailure policy)' }),
  initiallyRegistered: z.boolean().default(false).meta({ description: 'the gateway starts believing every UE registered (e.g. for a mass de-registration)' }),
  reregisterOnRestart: z.boolean().default(true).meta({ description: 'after a crash and restart, register every UE again (mass re-registration)' }),
});

const ServerParams = z.strictObject({
  maxBulkSize: PositiveCount.default(1000).meta({ description: 'most entries accepted in one bulk; more → 413 BULK_TOO_LARGE' }),
  authTimeout: Duration.default(5_000_000_000).meta({ description: 'per-ue policy: wait this long for a UE authentication answer' }),
  retryAfter: Duration.default(1_000_000_000).meta({ description: 'Retry-After sent with 503 (whole seconds on the wire, at least 1)' }),
  initiallyRegistered: z.boolean().default(false).meta({ description: 'every UE starts registered, as before a gateway restart' }),
  store: z
    .enum(['persistent', 'volatile'])
    .default('persistent')
    .meta({ description: 'the registration store across a crash: persistent (a database, survives) or volatile (in memory, lost)' }),
  bulkCommit: z
    .enum(['per-entry', 'atomic'])
    .default('per-entry')
    .meta({ description: 'per-entry: a crash mid-bulk leaves the entries already processed stored; atomic: one transaction per request, none of it' }),
});

type GatewayParamsOut = z.output<typeof GatewayParams>;
type ServerParamsOut = z.output<typeof ServerParams>;

/** The validated section, with defaults when the scenario has none. */
function section(env: BuildEnv): Msgin5gSectionOut {
  return (env.section('msgin5g') as Msgin5gSectionOut | undefined) ?? Msgin5gSection.parse({});
}

function directory(env: BuildEnv): UeDirectory {
  const s = section(env);
  return new UeDirectory(env.population, s.ues, s.profiles);
}

// The MSGin5G implementation (sim/msgin5g/implementation.ts), loaded when a scenario names an MSGin5G type.
const { load, get: impl } = lazyImplementation<typeof Msgin5g>('MSGin5G', () => import('../../msgin5g/implementation.ts'));

export const MSGIN5G_NODE_TYPES: NodeType[] = [
  {
    type: 'message-gateway',
    title: 'Message Gateway (MSGin5G-2/-4): registers and de-registers Non-MSGin5G UEs with the MSGin5G Server, individually or in bulk',
    params: GatewayParams,
    refs: (p: GatewayParamsOut) => (p.servers ?? []).map((s, i) => [`servers[${i}]`, s] as [string, string]),
    load,
    create: (id, ctx, p: GatewayParamsOut, env) => {
      const s = section(env);
      const from = p.ues.from;
      const count = p.ues.count ?? Math.max(0, env.population - from);
      if (from + count > env.population) {
        throw new ScenarioError('scenario', [
          `nodes.${id}.params.ues: UEs ${from} … ${from + count - 1} exceed the population (0 … ${env.population - 1}) — lower from/count or raise population.size`,
        ]);
      }
      return new (impl().MessageGateway)(id, ctx, {
        kind: p.kind,
        servers: p.servers,
        from,
        count,
        connections: p.connections,
        requestTimeout: p.requestTimeout,
        initiallyRegistered: p.initiallyRegistered,
        reregisterOnRestart: p.reregisterOnRestart,
        bulking: s.bulking,
        entryFailure: s.entryFailure,
        requestFailure: s.requestFailure,
        refresh: s.refresh,
        segmentSize: s.segmentLoss.segmentSize,
        dir: directory(env),
      });
    },
    // st, fl, retries (1 byte each) and the procedure's start time (8 bytes).
    bytesPerSubscriber: 11,
  },
  {
    type: 'msgin5g-server',
    title: 'MSGin5G Server: authenticates, authorises and stores (deletes) Non-MSGin5G UEs, one by one or split from a bulk',
    params: ServerParams,
    refs: () => [],
    load,
    create: (id, ctx, p: ServerParamsOut, env) => {
      const s = section(env);
      return new (impl().Msgin5gServer)(id, ctx, {
        maxBulkSize: p.maxBulkSize,
        authTimeout: p.authTimeout,
        retryAfter: p.retryAfter,
        initiallyRegistered: p.initiallyRegistered,
        store: p.store,
        bulkCommit: p.bulkCommit,
        segmentSize: s.segmentLoss.segmentSize,
        authentication: s.authentication,
        dir: directory(env),
      });
    },
    // registered (1), profile (1), via (2).
    bytesPerSubscriber: 4,
    get rules() {
      return impl().MSGIN5G_RULES;
    },
    pcap: { protos: ['msgin5g'], frames: (e, addressOf) => impl().msgin5gFrames(e, addressOf) },
    // Gateways' and servers' views compared at every sample (sim/msgin5g/views.ts); defined on the
    // server type only, so the probes exist once whatever the number of node types present.
    probes: (nodes) => impl().mismatchProbes(nodes),
  },
];
