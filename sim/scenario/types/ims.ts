import { z } from 'zod';
import { lazyImplementation, type BuildEnv, type NodeType } from '../node-type.ts';
import { Duration, NodeId, Probability } from '../fields.ts';
import { DEFAULT_IMS_CONFIG, MAX_DIALOGS_PER_SUBSCRIBER, type ImsConfig } from '../../ims/config.ts';
import { DEREG_FAILURE_POLICIES, DEFAULT_DEREG_FAILURE_POLICY, DEFAULT_DEREG_RETRY } from '../../policies/msc-dereg-failure.ts';
import { REG_EVENT_AFTER_CANCEL_POLICIES, DEFAULT_REG_EVENT_AFTER_CANCEL_POLICY } from '../../policies/reg-event-after-cancel.ts';
import { BYE_RELEASE_POLICIES, DEFAULT_BYE_RELEASE_POLICY } from '../../policies/msc-bye-release.ts';
import { REG_EVENT_DURING_DEREG_POLICIES, DEFAULT_REG_EVENT_DURING_DEREG_POLICY } from '../../policies/reg-event-during-dereg.ts';
import { REFRESH_FAILURE_POLICIES, DEFAULT_REFRESH_FAILURE_POLICY } from '../../policies/msc-refresh-failure.ts';
import { RESTART_RECOVERY_POLICIES, DEFAULT_RESTART_RECOVERY_POLICY } from '../../policies/msc-restart-recovery.ts';
import { REATTACH_POLICIES, DEFAULT_REATTACH_POLICY } from '../../policies/msc-reattach.ts';
import { BINDING_MATCH_POLICIES, DEFAULT_BINDING_MATCH_POLICY } from '../../policies/scscf-binding-match.ts';
import { DEREG_MATCH_POLICIES, DEFAULT_DEREG_MATCH_POLICY } from '../../policies/ics-dereg-match.ts';
import { EXTERNAL_CLIENT_POLICIES, DEFAULT_EXTERNAL_CLIENT_POLICY } from '../../policies/scscf-external-clients.ts';
import { REG_EVENT_WATCHERS_POLICIES, DEFAULT_REG_EVENT_WATCHERS_POLICY } from '../../policies/scscf-reg-event-watchers.ts';
import { REG_EVENT_AUTHORIZATION_POLICIES, DEFAULT_REG_EVENT_AUTHORIZATION_POLICY } from '../../policies/scscf-reg-event-authorization.ts';
import { RESTORATION_POLICIES, DEFAULT_RESTORATION_POLICY } from '../../policies/scscf-restoration.ts';
import { ICSCF_RESTORATION_POLICIES, DEFAULT_ICSCF_RESTORATION_POLICY } from '../../policies/icscf-restoration.ts';
import type { Node } from '../../node/node.ts';
import type * as Ims from '../../ims/implementation.ts';
import type { TraceEntry } from '../../observe/recorder.ts';

/**
 * The IMS domain in scenario files: the `ims:` section (what every IMS node must agree on) and the
 * node types msc-ics, icscf, scscf, hss and far-end. docs/ims.md explains each field.
 */

const digits = (min: number, max: number, what: string) =>
  z.string().regex(new RegExp(`^[0-9]{${min},${max}}$`), `${what}: ${min === max ? min : `${min} to ${max}`} decimal digits, quoted (e.g. '234')`);

const SECOND = 1_000_000_000;

export const IMS_SECTION = z
  .strictObject({
    mcc: digits(3, 3, 'Mobile Country Code').default(DEFAULT_IMS_CONFIG.mcc),
    mnc: digits(2, 3, 'Mobile Network Code as in the IMSI').default(DEFAULT_IMS_CONFIG.mnc),
    imsiBase: digits(6, 15, 'IMSI of subscriber 0 (MCC + MNC + MSIN)')
      .optional()
      .meta({ description: "IMSI of subscriber 0; subscriber i has MSIN + i (default: MCC + MNC + zeros to 15 digits)" }),
    msisdnBase: digits(4, 15, 'MSISDN of subscriber 0, E.164 without +').default(DEFAULT_IMS_CONFIG.msisdnBase),
    imeiBase: digits(14, 14, 'IMEI of subscriber 0 (TAC + SNR, no check digit)').default(DEFAULT_IMS_CONFIG.imeiBase),
    implicitSet: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(DEFAULT_IMS_CONFIG.implicitSet)
      .meta({ description: 'public user identities in each implicit registration set (1 … 16)' }),
    sessions: z
      .strictObject({
        share: Probability.default(0).meta({ description: 'share of subscribers with established IMS sessions (INVITE dialogs) when deregistered' }),
        perSubscriber: z.number().int().min(1).max(MAX_DIALOGS_PER_SUBSCRIBER).default(1).meta({ description: 'dialogs per such subscriber (1 … 4)' }),
      })
      .default({ share: 0, perSubscriber: 1 }),
    peers: z
      .strictObject({
        domain: z.string().regex(/^[A-Za-z0-9.-]+$/, 'a domain name').default(DEFAULT_IMS_CONFIG.peers.domain),
        numberBase: digits(1, 15, 'E.164 number of subscriber 0’s peer').default(DEFAULT_IMS_CONFIG.peers.numberBase),
      })
      .default(DEFAULT_IMS_CONFIG.peers),
    timers: z
      .strictObject({
        T1: Duration.default(500_000_000),
        T2: Duration.default(4 * SECOND),
        T4: Duration.default(5 * SECOND),
      })
      .default({ T1: 500_000_000, T2: 4 * SECOND, T4: 5 * SECOND })
      .meta({ description: 'RFC 3261 timers (TS 24.229 Table 7.7.1 values by default)' }),
    preRegistered: z
      .strictObject({ msc: NodeId, scscf: NodeId })
      .optional()
      .meta({ description: 'sizing: every subscriber starts registered at this MSC and S-CSCF, subscribed, with its sessions up (no messages for that)' }),
  })
  .superRefine((s, ctx) => {
    if (s.imsiBase !== undefined && !s.imsiBase.startsWith(s.mcc + s.mnc)) {
      ctx.addIssue({ code: 'custom', path: ['imsiBase'], message: `'${s.imsiBase}' must start with MCC + MNC ('${s.mcc}${s.mnc}')` });
    }
    if (s.timers.T1 <= 0) ctx.addIssue({ code: 'custom', path: ['timers', 'T1'], message: 'T1 must be > 0 (every SIP timer derives from it)' });
    if (s.timers.T2 < s.timers.T1) ctx.addIssue({ code: 'custom', path: ['timers', 'T2'], message: 'T2 must be ≥ T1' });
  })
  .meta({ description: 'IMS home network, identities (TS 23.003 §20.3), implicit sets, sessions and SIP timers shared by every IMS node' });

export type ImsSectionOut = z.output<typeof IMS_SECTION>;

/** The validated section (or its defaults when the file has none) as the nodes' ImsConfig. */
export function imsConfigOf(section: unknown): ImsConfig {
  const s = (section ?? IMS_SECTION.parse({})) as ImsSectionOut;
  return {
    mcc: s.mcc,
    mnc: s.mnc,
    imsiBase: s.imsiBase ?? (s.mcc + s.mnc).padEnd(15, '0'),
    msisdnBase: s.msisdnBase,
    imeiBase: s.imeiBase,
    implicitSet: s.implicitSet,
    sessions: { share: s.sessions.share, perSubscriber: s.sessions.perSubscriber },
    peers: { domain: s.peers.domain, numberBase: s.peers.numberBase },
    timers: { T1: s.timers.T1, T2: s.timers.T2, T4: s.timers.T4 },
    preRegistered: s.preRegistered,
  };
}

function imsEnv(env: BuildEnv) {
  return { cfg: imsConfigOf(env.section('ims')), population: env.population, indexOf: env.indexOf };
}

const names = <T extends Record<string, unknown>>(o: T) => Object.keys(o) as [keyof T & string, ...(keyof T & string)[]];

/** A named-policy field (docs/policies.md): one of the policy table's names, the default, and what the choice decides. */
function policyField<T extends Record<string, unknown>>(table: T, dflt: keyof T & string, description: string) {
  return z.enum(names(table)).default(dflt).meta({ description });
}

const DeregRetryParams = z
  .strictObject({
    retries: z.number().int().min(0).max(100).default(DEFAULT_DEREG_RETRY.retries).meta({ description: 'retries after the first attempt (so at most retries + 1 REGISTERs)' }),
    base: Duration.default(DEFAULT_DEREG_RETRY.base).meta({ description: 'wait before the first retry' }),
    factor: z.number().min(1, 'factor: at least 1 (the back-off never shrinks)').max(100).default(DEFAULT_DEREG_RETRY.factor).meta({ description: 'each further wait is this many times the previous one' }),
    cap: Duration.default(DEFAULT_DEREG_RETRY.cap).meta({ description: 'longest back-off (a longer Retry-After is still honoured)' }),
  })
  .refine((r) => r.base > 0, { message: 'base must be > 0 (use the policy clear-locally for no retry)', path: ['base'] })
  .refine((r) => r.cap >= r.base, { message: 'cap must be ≥ base', path: ['cap'] })
  .default(DEFAULT_DEREG_RETRY)
  .meta({ description: 'how the retrying deregFailure policies (retry-backoff, retry-then-clear, by-status) space their attempts: min(cap, base·factor^(k−1)) after failed attempt k, or Retry-After if longer' });

export const MscParams = z.strictObject({
  icscf: NodeId.meta({ description: 'the I-CSCF REGISTERs go to' }),
  farEnd: NodeId.meta({ description: 'the far end of the subscribers’ sessions' }),
  expires: z.number().int().min(1).default(600000).meta({ description: 'requested registration expiry, seconds' }),
  expiresIn: z.enum(['header', 'contact']).default('header').meta({ description: 'carry the expiry (0 to deregister) in the Expires header or the Contact expires parameter' }),
  subscribeRegEvent: z.boolean().default(true).meta({ description: 'subscribe to the reg event after registering' }),
  sessionSetupAfter: Duration.default(SECOND).meta({ description: 'subscribers with sessions (ims.sessions.share) set them up this long after registering' }),
  sweepSpread: Duration.default(10 * SECOND).meta({ description: "'maintenance' / 'restart' triggers deregister every subscriber here, evenly over this interval" }),
  sweepTick: Duration.default(0).meta({
    description: 'pacing granularity of that sweep: 0 = one instant per subscriber; e.g. 1ms starts those due within a millisecond together (fewer events)',
  }),
  policies: z
    .strictObject({
      deregFailure: policyField(DEREG_FAILURE_POLICIES, DEFAULT_DEREG_FAILURE_POLICY, 'what to do when a deregistration gets no 200 OK (TS 24.292 FFS)'),
      regEventAfterCancel: policyField(REG_EVENT_AFTER_CANCEL_POLICIES, DEFAULT_REG_EVENT_AFTER_CANCEL_POLICY, 'how to answer a NOTIFY for the reg-event subscription considered cancelled'),
      byeRelease: policyField(BYE_RELEASE_POLICIES, DEFAULT_BYE_RELEASE_POLICY, 'how long unanswered BYEs hold the deregistration REGISTER back: wait (for every answer or timeout), wait-capped (byeWaitCap), proceed'),
      regEventDuringDereg: policyField(REG_EVENT_DURING_DEREG_POLICIES, DEFAULT_REG_EVENT_DURING_DEREG_POLICY, 'a NOTIFY ending this registration while its deregistration is under way: ignore it, or trust-notify (finish as on a 200 OK)'),
      reattach: policyField(REATTACH_POLICIES, DEFAULT_REATTACH_POLICY, 'an attach while the deregistration is under way: drop it, queue (register once it is over), cancel (call it off while still possible), supersede (REGISTER at once)'),
      refreshFailure: policyField(REFRESH_FAILURE_POLICIES, DEFAULT_REFRESH_FAILURE_POLICY, 'a refresh with no 200 OK (423, 5xx + Retry-After, 408 timeout): drop the registration, give-up-and-report (keep until expiry), retry-backoff, retry-until-expiry, reregister'),
      restartRecovery: policyField(RESTART_RECOVERY_POLICIES, DEFAULT_RESTART_RECOVERY_POLICY, 'after a restart that lost a volatile registrationStore: wait-for-activity, reregister-all or deregister-all (paced over sweepSpread)'),
    })
    .default({
      deregFailure: DEFAULT_DEREG_FAILURE_POLICY,
      regEventAfterCancel: DEFAULT_REG_EVENT_AFTER_CANCEL_POLICY,
      byeRelease: DEFAULT_BYE_RELEASE_POLICY,
      regEventDuringDereg: DEFAULT_REG_EVENT_DURING_DEREG_POLICY,
      reattach: DEFAULT_REATTACH_POLICY,
      refreshFailure: DEFAULT_REFRESH_FAILURE_POLICY,
      restartRecovery: DEFAULT_RESTART_RECOVERY_POLICY,
    }),
  deregRetry: DeregRetryParams,
  registrationStore: z
    .enum(['persistent', 'volatile'])
    .default('persistent')
    .meta({ description: 'whether the IMS registrations survive a crash (persistent) or are lost with it (volatile: restartRecovery decides what follows)' }),
  refreshRetry: DeregRetryParams.meta({ description: 'how the refreshFailure policies space their retries (as deregRetry)' }),
  byeWaitCap: Duration.default(2 * SECOND).meta({ description: "byeRelease 'wait-capped': longest wait for the BYEs' answers" }),
  testMutation: z
    .enum(['none', 'fresh-call-id', 'no-instance', 'register-before-bye-answers'])
    .default('none')
    .meta({ description: 'TEST ONLY: break §6.3.6.2 on purpose to see the rule checker fail' }),
});

export const IcscfParams = z.strictObject({
  hss: NodeId,
  scscfs: z.array(NodeId).min(1).meta({ description: 'S-CSCFs to assign on a first registration (by subscriber id modulo their number)' }),
  cxTimeout: Duration.default(5 * SECOND).meta({ description: 'no UAA within this time: answer 480' }),
  restoration: z
    .enum(names(ICSCF_RESTORATION_POLICIES))
    .default(DEFAULT_ICSCF_RESTORATION_POLICY)
    .meta({
      description:
        "the S-CSCF the HSS names does not serve a REGISTER (no answer, transport error, 5xx): 'answer-failure' (the failure goes back to the MSC: the default) or 'reselect' (UAR REGISTRATION_AND_CAPABILITIES and another S-CSCF of `scscfs`, TS 29.228 §6.1.1 — Kamailio ims_icscf I_scscf_select)",
    }),
  scscfTimeout: Duration.default(0).meta({ description: "restoration 'reselect': a forwarded REGISTER unanswered this long counts as failed (a proxy's branch timer); 0 = Timer F (32 s)" }),
});

export const ScscfParams = z.strictObject({
  hss: NodeId,
  farEnd: NodeId.meta({ description: 'where the subscribers’ INVITEs go' }),
  deregistrationSar: z.enum(['USER_DEREGISTRATION', 'USER_DEREGISTRATION_STORE_SERVER_NAME']).default('USER_DEREGISTRATION'),
  bindingMatch: policyField(BINDING_MATCH_POLICIES, DEFAULT_BINDING_MATCH_POLICY, "how a deregistration from the binding's own Contact matches it: 'contact' (Kamailio ims_usrloc_scscf matching_mode 0, the default; a fresh Call-ID still removes it), 'contact-call-id' (matching_mode 1) or 'instance' (RFC 5626 §6)"),
  deregMatch: policyField(DEREG_MATCH_POLICIES, DEFAULT_DEREG_MATCH_POLICY, "the Cancel Location race — a new MSC's REGISTER (same +sip.instance) arrived before the old MSC's deregistration: 'contact' (it replaced the binding, RFC 5626 §6; the late deregistration removes nothing), 'instance' (replaced; the late deregistration removes the new MSC's binding) or 'coexist' (Kamailio ims_usrloc_scscf: both contacts kept, the late deregistration removes the old MSC's only)"),
  externalClients: policyField(EXTERNAL_CLIENT_POLICIES, DEFAULT_EXTERNAL_CLIENT_POLICY, "who may register without IMS AKA: 'auth-done' (a REGISTER with integrity-protected=\"auth-done\", from anyone: the default), 'trusted' (only the nodes in `trusted`, with or without it) or 'accept-unauthenticated' (anyone: a loopback lab only) — docs/policies.md"),
  trusted: z.array(NodeId).default([]).meta({ description: "externalClients 'trusted': the senders admitted (in the emulation lab, the real peers playing these nodes)" }),
  regEventWatchers: policyField(REG_EVENT_WATCHERS_POLICIES, DEFAULT_REG_EVENT_WATCHERS_POLICY, "reg-event watchers per registration: 'keep-all' (every watcher gets each NOTIFY, TS 24.229 §5.4.2.1.2; a new SUBSCRIBE from the same watcher replaces its own older one — Kamailio ims_registrar_scscf; the default) or 'replace' (the newest only: it ends the others) — docs/policies.md"),
  regEventAuthorization: policyField(REG_EVENT_AUTHORIZATION_POLICIES, DEFAULT_REG_EVENT_AUTHORIZATION_POLICY, "who may subscribe to a user's reg event: 'asserted-own' (P-Asserted-Identity and From of the user itself, TS 24.229 §5.4.2.1.1 — Kamailio can_subscribe_to_reg; the default) or 'external-clients' (also any client the externalClients policy admits, whatever identity it watches: a lab only) — docs/policies.md"),
  maxExpires: z.number().int().min(1).default(600000).meta({ description: 'longest registration / subscription granted, seconds' }),
  minExpires: z.number().int().min(0).default(0).meta({ description: 'shortest registration accepted, seconds: a REGISTER asking for less gets 423 with Min-Expires (RFC 3261 §10.3 step 7); 0 = none' }),
  minExpiresFrom: Duration.default(0).meta({ description: 'from when minExpires applies (an operator raising it mid-run)' }),
  cxTimeout: Duration.default(5 * SECOND),
  registrationStore: z
    .enum(['persistent', 'volatile'])
    .default('persistent')
    .meta({ description: 'whether the bindings and reg-event subscriptions survive a crash (persistent) or are lost with it (volatile: the HSS still names this S-CSCF; `restoration` decides what follows)' }),
  restoration: policyField(RESTORATION_POLICIES, DEFAULT_RESTORATION_POLICY, "a REGISTER for a registration this S-CSCF does not hold (after a volatile restart): 'register-anew' (a new registration, SAR REGISTRATION — Kamailio ims_registrar_scscf; a deregistration removes nothing and the HSS keeps it registered: the default), 'reject-unknown' (403 to a refresh: the MSC registers anew) or 'hss-restoration' (TS 23.380: the restoration information kept in the HSS is fetched back first)"),
});

export const HssParams = z.strictObject({
  storeServerName: z.boolean().default(true).meta({ description: 'keep the S-CSCF name on SAR …_STORE_SERVER_NAME (else answer 2004)' }),
  rtrReason: z.enum(['PERMANENT_TERMINATION', 'NEW_SERVER_ASSIGNED', 'SERVER_CHANGE', 'REMOVE_S-CSCF']).default('PERMANENT_TERMINATION'),
});

export const FarEndParams = z.strictObject({
  answerAfter: Duration.default(2 * SECOND).meta({ description: 'from INVITE (answered 180 at once) to 200 OK' }),
});

// The IMS implementation (sim/ims/implementation.ts), loaded when a scenario names an IMS type.
const { load, get: impl } = lazyImplementation<typeof Ims>('IMS', () => import('../../ims/implementation.ts'));

const pcap = { protos: ['sip', 'cx'] as const, frames: (e: TraceEntry, addressOf: (nodeId: string) => string) => impl().imsPcapFrames(e, addressOf) };

export const IMS_NODE_TYPES: NodeType[] = [
  {
    type: 'msc-ics',
    title: 'MSC Server enhanced for ICS: registers CS subscribers with IMS on their behalf and deregisters them (TS 24.292 §6.3.6.2)',
    params: MscParams,
    refs: (p: z.output<typeof MscParams>) => [
      ['icscf', p.icscf],
      ['farEnd', p.farEnd],
    ],
    load,
    create: (id, ctx, p, env) => new (impl().MscIcs)(id, ctx, p, imsEnv(env)),
    // + the expiry time (8) and the run's registration views (views.ts, 5).
    bytesPerSubscriber: 71,
    get rules() {
      return impl().IMS_RULES;
    },
    pcap,
  },
  {
    type: 'icscf',
    title: 'I-CSCF: Cx UAR/UAA to find the S-CSCF, forwards REGISTER (TS 24.229 §5.3.1)',
    params: IcscfParams,
    refs: (p: z.output<typeof IcscfParams>) => [['hss', p.hss], ...p.scscfs.map((s, i) => [`scscfs[${i}]`, s] as [string, string])],
    load,
    create: (id, ctx, p, env) => new (impl().Icscf)(id, ctx, p, imsEnv(env)),
    bytesPerSubscriber: 0,
    get rules() {
      return impl().IMS_RULES;
    },
    pcap,
  },
  {
    type: 'scscf',
    title: 'S-CSCF: registrar (Cx SAR/SAA), reg-event notifier (RFC 3680), session proxy (TS 24.229 §5.4)',
    params: ScscfParams,
    refs: (p: z.output<typeof ScscfParams>) => [
      ['hss', p.hss],
      ['farEnd', p.farEnd],
      ...p.trusted.map((t, i) => [`trusted[${i}]`, t] as [string, string]),
    ],
    load,
    create: (id, ctx, p, env) => new (impl().Scscf)(id, ctx, p, imsEnv(env)),
    // + the binding expiry queue (20).
    bytesPerSubscriber: 51,
    get rules() {
      return impl().IMS_RULES;
    },
    pcap,
    // The ICS consequence metrics (views.ts), once per run: the S-CSCF type is in every ICS network.
    probes: (nodes: readonly Node[]) => {
      const { icsProbes, Scscf } = impl();
      return icsProbes(nodes.find((n): n is InstanceType<typeof Scscf> => n instanceof Scscf)?.ctx);
    },
  },
  {
    type: 'hss',
    title: 'HSS: answers UAR and SAR, sends RTR (TS 29.228 §6.1)',
    params: HssParams,
    refs: () => [],
    load,
    create: (id, ctx, p, env) => new (impl().Hss)(id, ctx, p, imsEnv(env)),
    bytesPerSubscriber: 3,
    get rules() {
      return impl().IMS_RULES;
    },
    pcap,
  },
  {
    type: 'far-end',
    title: 'Far end of the IMS sessions: answers INVITE (180, 200) and BYE',
    params: FarEndParams,
    refs: () => [],
    load,
    create: (id, ctx, p, env) => new (impl().FarEnd)(id, ctx, p, imsEnv(env)),
    bytesPerSubscriber: 1,
    pcap,
  },
];
