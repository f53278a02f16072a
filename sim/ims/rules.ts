import type { Rule, Verdict } from '../observe/rules.ts';
import type { TraceEntry } from '../observe/recorder.ts';
import { parseSip, type ParsedFields } from '../sip/parser.ts';
import { param } from '../sip/headers.ts';
import type { SipMessage } from '../sip/message.ts';
import { CxCommand, CxMessage, ServerAssignmentType, UserAuthorizationType } from './cx.ts';
import { RULE } from './rule-ids.ts';
import { ImsSip } from './sip-message.ts';

/**
 * The spec rules of the IMS model, checked on the watched trace (DESIGN principle 3). Each rule
 * reads what went on the WIRE — every SIP message is re-parsed from its text by the strict parser
 * (sim/sip/parser.ts) — so a header the model got wrong fails the rule even if the model's own
 * fields look right. Evidence: the trace records (seq) of the messages checked or at fault.
 *
 * In the emulation lab a node can be a real peer (`emulate.nodes.<id>.external`): the rules judge
 * only what RegLab's own nodes did. A peer's own messages, and a clause about a peer (e.g. step 7's
 * "to the I-CSCF" when the next hop is a real registrar: no RegLab I-CSCF in the path), are not
 * applicable — said in the verdict's detail as "n/a: <node> is external (…)", never silently passed.
 *
 * Rule ids and the code realising each: sim/ims/rule-ids.ts; docs/ims.md lists them.
 */

/** A SIP message of the trace, parsed from its wire text (cached per message object). */
interface SipView {
  e: TraceEntry;
  m: ImsSip;
  f: ParsedFields;
  msg: SipMessage;
  seq: number;
  t: number;
  sentAt: number;
  from: string;
  to: string;
  sub: number;
  method: string;
  status: number;
  callId: string;
  cseq: number;
}

const cache = new WeakMap<object, SipView | string>();

/** The parsed view of a delivered IMS SIP message, a parse error (string), or undefined for other messages. */
function view(e: TraceEntry): SipView | string | undefined {
  if (e.rec.event !== 'delivered' || !(e.msg instanceof ImsSip)) return undefined;
  const hit = cache.get(e);
  if (hit !== undefined) return hit;
  const m = e.msg;
  const r = parseSip(m.wire());
  let v: SipView | string;
  if (!r.ok) v = `${m.kind} does not parse: ${r.error.reason}`;
  else
    v = {
      e,
      m,
      f: r.fields,
      msg: r.msg,
      seq: e.rec.seq,
      t: e.rec.t,
      sentAt: m.sentAt >= 0 ? m.sentAt : e.rec.t,
      from: e.rec.from,
      to: e.rec.to,
      sub: m.sub,
      method: r.fields.cseq.method,
      status: r.msg.status,
      callId: r.fields.callId,
      cseq: r.fields.cseq.seq,
    };
  cache.set(e, v);
  return v;
}

function views(trace: readonly TraceEntry[]): SipView[] {
  const out: SipView[] = [];
  for (const e of trace) {
    const v = view(e);
    if (typeof v === 'object') out.push(v);
  }
  return out;
}

/** The expiry a REGISTER asks for: the Contact's expires parameter, else the Expires header (RFC 3261 §10.2.1.1). */
function registerExpiry(v: SipView): number | undefined {
  const c = v.f.contacts;
  if (c !== '*' && c.length > 0) {
    const p = param(c[0].params, 'expires');
    if (p !== undefined) return Number(p);
  }
  return v.f.expires;
}

/** A REGISTER as the MSC sent it (one Via: first hop). */
function isMscRegister(v: SipView): boolean {
  return v.status === 0 && v.method === 'REGISTER' && v.f.via.length === 1;
}

function isDeregister(v: SipView): boolean {
  return isMscRegister(v) && registerExpiry(v) === 0;
}

function uriOf(text: string): string {
  return text.trim();
}

function hostOfNode(v: SipView, nodeId: string): string | undefined {
  const i = v.m.ctx.indexOfId(nodeId);
  return i < 0 ? undefined : v.m.ctx.host(i);
}

/**
 * The first delivered copy of the same request on the same hop: a retransmission (RFC 3261
 * §17.1.1.2 Timer A, §17.1.2.2 Timer E) carries the same top Via branch and sent-by, method and
 * CSeq, and the server transaction absorbs it (§17.2.1, §17.2.2) — so what the request caused
 * downstream follows its first copy. Returns `v` itself when it is the first.
 */
function firstCopy(all: SipView[], v: SipView): SipView {
  const via = v.f.via[0];
  for (const x of all) {
    if (x.seq >= v.seq) break;
    if (x.status !== 0 || x.from !== v.from || x.to !== v.to || x.method !== v.method || x.cseq !== v.cseq || x.callId !== v.callId) continue;
    const xv = x.f.via[0];
    if (xv !== undefined && via !== undefined && xv.branch === via.branch && xv.host === via.host && xv.port === via.port) return x;
  }
  return v;
}

/** The last registering REGISTER (expiry > 0) the same MSC sent for the subscriber before `before`. */
function registrationOf(all: SipView[], d: SipView): SipView | undefined {
  for (let i = all.length - 1; i >= 0; i--) {
    const x = all[i];
    if (x.seq >= d.seq) continue;
    if (x.sub === d.sub && x.from === d.from && isMscRegister(x) && (registerExpiry(x) ?? 1) > 0) return x;
  }
  return undefined;
}

/** The REGISTER this MSC sent for the subscriber just before `d` (of any expiry). */
function previousRegister(all: SipView[], d: SipView): SipView | undefined {
  for (let i = all.length - 1; i >= 0; i--) {
    const x = all[i];
    if (x.seq < d.seq && x.sub === d.sub && x.from === d.from && isMscRegister(x) && x.sentAt < d.sentAt) return x;
  }
  return undefined;
}

/**
 * What a rule did not judge, and why: the acts of a node a real peer plays (the emulation lab's
 * `external`), or a clause about a node that is external or absent from the path. Reported in the
 * verdict's detail ("n/a: …"), never silently passed.
 */
class Unjudged {
  private readonly why = new Map<string, number>();
  add(why: string): void {
    this.why.set(why, (this.why.get(why) ?? 0) + 1);
  }
  get size(): number {
    return this.why.size;
  }
  /** '; n/a: …' to append to a verdict's detail ('' when everything was judged). */
  suffix(): string {
    return this.size ? `; ${this.text()}` : '';
  }
  text(): string {
    return [...this.why].map(([w, n]) => `n/a: ${w} (${n}×)`).join('; ');
  }
}

/** Marks one clause of a rule not applicable to the message at hand, saying why. */
type NotApplicable = (clause: string, why: string) => void;

/** A rule over the deregistration REGISTERs of the trace, each sent by one of RegLab's own MSCs. */
function deregRule(id: string, title: string, violation: (d: SipView, all: SipView[], trace: readonly TraceEntry[], na: NotApplicable) => string | undefined): Rule {
  return {
    id,
    title,
    check(trace): Verdict {
      const all = views(trace);
      const bad: number[] = [];
      const checked: number[] = [];
      const unjudged = new Unjudged();
      const na: NotApplicable = (clause, why) => unjudged.add(`'${clause}' — ${why}`);
      let first = '';
      for (const e of trace) {
        const v = view(e);
        if (typeof v === 'string') {
          // A message that does not even parse fails every rule about it.
          if (e.msg instanceof ImsSip && e.msg.method === 'REGISTER') {
            const peer = e.msg.ctx.peerOf(e.rec.from);
            if (peer !== undefined) {
              unjudged.add(`${peer}: its REGISTERs are not RegLab's to judge`);
              continue;
            }
            bad.push(e.rec.seq);
            first ||= `record ${e.rec.seq}: ${v}`;
          }
          continue;
        }
        if (v === undefined || !isDeregister(v)) continue;
        // An MSC a real peer plays: RegLab did not write its REGISTER.
        const peer = v.m.ctx.peerOf(v.from);
        if (peer !== undefined) {
          unjudged.add(`${peer}: its deregistration REGISTERs are not RegLab's to judge`);
          continue;
        }
        checked.push(v.seq);
        const why = violation(v, all, trace, na);
        if (why !== undefined) {
          bad.push(v.seq);
          first ||= `record ${v.seq} (REGISTER ${v.from}→${v.to}, subscriber ${v.sub}): ${why}`;
        }
      }
      if (bad.length) return { status: 'failed', detail: `${bad.length} of ${Math.max(checked.length, bad.length)} violate it; first: ${first}${unjudged.suffix()}`, evidence: bad };
      if (!checked.length) {
        if (unjudged.size) return { status: 'not-applicable', detail: unjudged.text(), evidence: [] };
        return { status: 'not-applicable', detail: 'no deregistration REGISTER (expiry 0 from an MSC) in the watched trace', evidence: [] };
      }
      return { status: 'passed', detail: `${checked.length} deregistration REGISTER(s) checked${unjudged.suffix()}`, evidence: checked.slice(0, 5) };
    },
  };
}

// ---- §6.3.6.2 -------------------------------------------------------------------------------------

const pre = deregRule(
  RULE.pre,
  'Before the REGISTER for deregistration, every IMS dialog of the identity and of its implicitly registered identities is released (BYE sent and answered, or unanswered for Timer F: RFC 3261 §15.1.1)',
  (d, all) => {
    const dialogs = new Map<string, { established: number; released: number; bye: number; byeSentAt: number }>();
    for (const x of all) {
      // Requests count from when they were sent, answers from when they arrived.
      if (x.sub !== d.sub || (x.status === 0 ? x.sentAt : x.t) > d.sentAt) continue;
      if (x.method === 'INVITE' && x.status >= 200 && x.status < 300 && x.to === d.from) {
        dialogs.set(x.callId, { established: x.seq, released: -1, bye: -1, byeSentAt: -1 });
      } else if (x.method === 'BYE' && x.status === 0 && x.from === d.from && x.f.via.length === 1) {
        const k = dialogs.get(x.callId) ?? { established: -1, released: -1, bye: -1, byeSentAt: -1 };
        if (x.sentAt <= d.sentAt) {
          k.bye = x.seq;
          k.byeSentAt = x.sentAt;
        }
        dialogs.set(x.callId, k);
      } else if (x.method === 'BYE' && x.status >= 200 && x.to === d.from) {
        const k = dialogs.get(x.callId);
        if (k && x.t <= d.sentAt) k.released = x.seq;
      }
    }
    // Dialogs released before an earlier registration ended are not this deregistration's business.
    const reg = registrationOf(all, d);
    // RFC 3261 §15.1.1: a BYE with no response at all (its transaction timed out, Timer F = 64·T1)
    // terminates the dialog too.
    const timerF = 64 * d.m.ctx.cfg.timers.T1;
    for (const [callId, k] of dialogs) {
      if (reg && k.established >= 0 && k.established < reg.seq) continue;
      if (k.bye < 0) return `dialog ${callId} (established at record ${k.established}) was never released: no BYE before the REGISTER`;
      if (k.released < 0 && d.sentAt - k.byeSentAt < timerF)
        return `dialog ${callId}: the BYE (record ${k.bye}) was not answered before the REGISTER was sent (nor left unanswered for Timer F, 64·T1)`;
    }
    return undefined;
  },
);

const step1 = deregRule(RULE.s1, 'Request-URI: the SIP URI of the domain name of the home network', (d) => {
  const want = d.m.ctx.ids.homeDomainUri;
  const got = d.msg.requestUri;
  return got === want ? undefined : `Request-URI is ${got}, expected ${want}`;
});

function identityCheck(header: 'From' | 'To') {
  return (d: SipView, all: SipView[]): string | undefined => {
    const na = header === 'From' ? d.f.from : d.f.to;
    const got = uriOf(na.uriText);
    const want = d.m.ctx.ids.publicId(d.sub, 0);
    if (got !== want) return `${header} is ${got}, expected the public user identity ${want}`;
    const reg = registrationOf(all, d);
    if (reg) {
      const regUri = uriOf((header === 'From' ? reg.f.from : reg.f.to).uriText);
      if (regUri !== got) return `${header} ${got} differs from the registered identity ${regUri} (record ${reg.seq})`;
    }
    return undefined;
  };
}

const step2 = deregRule(RULE.s2, 'From: the SIP URI with the public user identity to be deregistered', identityCheck('From'));
const step3 = deregRule(RULE.s3, 'To: the SIP URI with the public user identity to be deregistered', identityCheck('To'));

const step4 = deregRule(
  RULE.s4,
  "Contact: a SIP URI with the MSC's IP address or FQDN, and the +sip.instance used at registration",
  (d, all) => {
    const c = d.f.contacts;
    if (c === '*' || c.length !== 1) return `expected exactly one Contact, got ${c === '*' ? '*' : c.length}`;
    const host = hostOfNode(d, d.from);
    const u = c[0].uri as unknown as { host?: string; port?: number };
    if (u.host !== host) return `Contact host is ${u.host}, not the MSC's address ${host}`;
    const inst = param(c[0].params, '+sip.instance');
    if (inst === undefined) return 'Contact has no +sip.instance parameter';
    const reg = registrationOf(all, d);
    if (reg && reg.f.contacts !== '*' && reg.f.contacts.length > 0) {
      const regInst = param(reg.f.contacts[0].params, '+sip.instance');
      if (regInst !== inst) return `+sip.instance ${inst} differs from the registration's ${regInst} (record ${reg.seq})`;
    } else {
      const want = `"<${d.m.ctx.ids.instanceUrn(d.sub)}>"`;
      if (inst !== want) return `+sip.instance ${inst} is not the subscriber's ${want}`;
    }
    return undefined;
  },
);

const step5 = deregRule(RULE.s5, "Via: the MSC's IP address or FQDN in the sent-by field", (d) => {
  const via = d.f.via[0];
  const host = hostOfNode(d, d.from);
  return via.host === host ? undefined : `Via sent-by is ${via.host}, not the MSC's address ${host}`;
});

const step6 = deregRule(RULE.s6, 'Expires header, or the expires parameter of the Contact, set to zero', (d) => {
  const c = d.f.contacts;
  const p = c !== '*' && c.length ? param(c[0].params, 'expires') : undefined;
  if (p !== undefined && Number(p) !== 0) return `Contact expires=${p}`;
  if (p === undefined && d.f.expires !== 0) return `Expires is ${d.f.expires}`;
  return undefined;
});

const step7 = deregRule(
  RULE.s7,
  'Sent as in §6.3.3: to the I-CSCF, with integrity-protected="auth-done" and P-Visited-Network-ID, in the registration\'s dialog (same Call-ID, CSeq + 1)',
  (d, all, trace, na) => {
    const auth = d.msg.header('authorization') ?? '';
    if (!/integrity-protected\s*=\s*"auth-done"/.test(auth)) return 'Authorization lacks integrity-protected="auth-done"';
    const user = /username\s*=\s*"([^"]*)"/.exec(auth)?.[1];
    if (user !== d.m.ctx.ids.privateId(d.sub)) return `Authorization username is ${user}, not the private identity ${d.m.ctx.ids.privateId(d.sub)}`;
    if (!d.msg.header('p-visited-network-id')) return 'no P-Visited-Network-ID';
    // The node it went to acts as the I-CSCF: it asks the HSS (UAR) for this subscriber next —
    // after the request's first copy: a retransmission is absorbed by the I-CSCF's server transaction.
    // A real peer there (e.g. a plain registrar as the S-CSCF): no RegLab I-CSCF is in the path,
    // and what the peer does with the REGISTER is not RegLab's to judge.
    const peer = d.m.ctx.peerOf(d.to);
    if (peer !== undefined) na('to the I-CSCF', `${peer}, no RegLab I-CSCF in the path`);
    else {
      const first = firstCopy(all, d);
      const uar = trace.find((e) => e.rec.seq > first.seq && e.msg instanceof CxMessage && e.msg.command === CxCommand.UserAuthorization && e.msg.request && e.rec.from === d.to && e.msg.sub === d.sub);
      if (!uar) return `${d.to} sent no UAR for it: the REGISTER did not reach an I-CSCF`;
    }
    const prev = previousRegister(all, d);
    if (prev) {
      if (prev.callId !== d.callId) return `Call-ID ${d.callId} is not the registration's ${prev.callId} (record ${prev.seq})`;
      if (d.cseq !== prev.cseq + 1) return `CSeq ${d.cseq} is not the previous REGISTER's ${prev.cseq} + 1 (record ${prev.seq})`;
    }
    return undefined;
  },
);

/** 200 OK answers to deregistrations, delivered to the MSC that sent them. */
const on200: Rule = {
  id: RULE.on200,
  title: 'On the 200 (OK), the MSC removes all registration details of the identity: it sends nothing more for that registration or its subscription',
  check(trace) {
    const all = views(trace);
    const deregs = all.filter(isDeregister);
    const checked: number[] = [];
    const unjudged = new Unjudged();
    for (const ok of all) {
      if (ok.method !== 'REGISTER' || ok.status !== 200) continue;
      const d = deregs.find((x) => x.callId === ok.callId && x.cseq === ok.cseq && x.from === ok.to && x.seq < ok.seq);
      if (!d) continue;
      const peer = ok.m.ctx.peerOf(ok.to);
      if (peer !== undefined) {
        unjudged.add(`${peer}: what it does after the 200 OK is not RegLab's to judge`);
        continue;
      }
      checked.push(ok.seq);
      // The subscription(s) of this registration: SUBSCRIBE Call-IDs used by the MSC since it registered.
      const reg = registrationOf(all, d);
      const subCallIds = new Set(all.filter((x) => x.method === 'SUBSCRIBE' && x.status === 0 && x.from === d.from && x.sub === d.sub && (!reg || x.seq > reg.seq) && x.seq < d.seq).map((x) => x.callId));
      for (const x of all) {
        if (x.seq <= ok.seq || x.sub !== d.sub || x.from !== d.from || x.status !== 0) continue;
        if (isMscRegister(x) && x.callId !== d.callId && (registerExpiry(x) ?? 1) > 0) break; // a new registration begins
        if (x.callId === d.callId || subCallIds.has(x.callId)) {
          return {
            status: 'failed',
            detail: `record ${x.seq}: ${x.method} from ${x.from} still uses the removed registration (Call-ID ${x.callId}) after its 200 OK (record ${ok.seq})${unjudged.suffix()}`,
            evidence: [ok.seq, x.seq],
          };
        }
      }
    }
    if (!checked.length) return { status: 'not-applicable', detail: unjudged.size ? unjudged.text() : 'no 200 OK to a deregistration in the watched trace', evidence: [] };
    return { status: 'passed', detail: `${checked.length} deregistration(s) answered 200 OK; nothing of them used afterwards${unjudged.suffix()}`, evidence: checked.slice(0, 5) };
  },
};

const regEvent = deregRule(
  RULE.regEvent,
  'The reg-event subscription is considered cancelled as if unsubscribed: no SUBSCRIBE (neither Expires 0 nor refresh) for it, and a NOTIFY that still comes gets a final answer (200 or 481, by policy)',
  (d, all) => {
    const reg = registrationOf(all, d);
    for (const x of all) {
      if (x.sub !== d.sub || x.from !== d.from || x.method !== 'SUBSCRIBE' || x.status !== 0) continue;
      if (reg && x.seq < reg.seq) continue;
      if (x.f.expires === 0) return `the MSC sent an unsubscribe (SUBSCRIBE Expires: 0, record ${x.seq})`;
      if (x.sentAt > d.sentAt) {
        const later = all.find((y) => y.seq > d.seq && y.seq < x.seq && isMscRegister(y) && y.sub === d.sub && y.from === d.from && y.callId !== d.callId);
        if (!later) return `the MSC refreshed the cancelled subscription (SUBSCRIBE record ${x.seq})`;
      }
    }
    for (const n of all) {
      if (n.method !== 'NOTIFY' || n.status !== 0 || n.to !== d.from || n.sub !== d.sub || n.t < d.sentAt) continue;
      const ans = all.find((a) => a.seq > n.seq && a.method === 'NOTIFY' && a.status >= 200 && a.callId === n.callId && a.cseq === n.cseq && a.from === d.from);
      if (!ans) continue; // an answer may fall outside the trace; nothing to judge
      if (ans.status !== 200 && ans.status !== 481) return `the NOTIFY (record ${n.seq}) after the deregistration was answered ${ans.status}, neither 200 nor 481`;
    }
    return undefined;
  },
);

// ---- TS 24.229 behaviours the procedure relies on --------------------------------------------

/** The last REGISTER delivered to `node` for `sub` before record `seq`. */
function registerAt(all: SipView[], node: string, sub: number, seq: number): SipView | undefined {
  for (let i = all.length - 1; i >= 0; i--) {
    const x = all[i];
    if (x.seq < seq && x.to === node && x.sub === sub && x.method === 'REGISTER' && x.status === 0) return x;
  }
  return undefined;
}

function cxRule(id: string, title: string, command: CxCommand, check: (c: CxMessage, reg: SipView) => string | undefined): Rule {
  return {
    id,
    title,
    check(trace) {
      const all = views(trace);
      const checked: number[] = [];
      const unjudged = new Unjudged();
      const name = command === CxCommand.UserAuthorization ? 'UAR' : 'SAR';
      for (const e of trace) {
        if (e.rec.event !== 'delivered' || !(e.msg instanceof CxMessage) || !e.msg.request || e.msg.command !== command) continue;
        const reg = registerAt(all, e.rec.from, e.msg.sub, e.rec.seq);
        if (!reg) continue; // not caused by a REGISTER in the trace
        // Nor by that one: a request of another procedure (e.g. the SAR of a binding's expiry).
        if (e.msg.procedure !== undefined && reg.m.procedure !== undefined && e.msg.procedure !== reg.m.procedure) continue;
        // A real peer's request (e.g. a real I-CSCF asking RegLab's HSS): not RegLab's to judge.
        const peer = reg.m.ctx.peerOf(e.rec.from);
        if (peer !== undefined) {
          unjudged.add(`${peer}: its ${name}s are not RegLab's to judge`);
          continue;
        }
        checked.push(e.rec.seq);
        const why = check(e.msg, reg);
        if (why) return { status: 'failed', detail: `record ${e.rec.seq} (${e.msg.kind} ${e.rec.from}→${e.rec.to}, subscriber ${e.msg.sub}): ${why}${unjudged.suffix()}`, evidence: [e.rec.seq, reg.seq] };
      }
      if (!checked.length) return { status: 'not-applicable', detail: unjudged.size ? unjudged.text() : `no ${name} following a REGISTER in the watched trace`, evidence: [] };
      return { status: 'passed', detail: `${checked.length} message(s) checked${unjudged.suffix()}`, evidence: checked.slice(0, 5) };
    },
  };
}

const uarType = cxRule(
  RULE.uarType,
  'I-CSCF: Cx UAR with User-Authorization-Type DE_REGISTRATION when the REGISTER\'s expiry is zero, REGISTRATION otherwise',
  CxCommand.UserAuthorization,
  (c, reg) => {
    const zero = registerExpiry(reg) === 0;
    const want = zero ? UserAuthorizationType.DeRegistration : UserAuthorizationType.Registration;
    if (c.authType === want || (!zero && c.authType === UserAuthorizationType.RegistrationAndCapabilities)) return undefined;
    return `User-Authorization-Type ${c.authType} for a REGISTER with expiry ${registerExpiry(reg)} (record ${reg.seq})`;
  },
);

const sarType = cxRule(
  RULE.sarType,
  'S-CSCF: Cx SAR USER_DEREGISTRATION (or USER_DEREGISTRATION_STORE_SERVER_NAME) for a deregistration, REGISTRATION / RE_REGISTRATION for a registration',
  CxCommand.ServerAssignment,
  (c, reg) => {
    const zero = registerExpiry(reg) === 0;
    const t = c.assignmentType;
    const ok = zero
      ? t === ServerAssignmentType.UserDeregistration || t === ServerAssignmentType.UserDeregistrationStoreServerName
      : t === ServerAssignmentType.Registration || t === ServerAssignmentType.ReRegistration;
    return ok ? undefined : `Server-Assignment-Type ${t} for a REGISTER with expiry ${registerExpiry(reg)} (record ${reg.seq})`;
  },
);

const notifyState: Rule = {
  id: RULE.notifyState,
  title:
    'S-CSCF: the NOTIFY after a deregistration has Subscription-State terminated and every identity of the implicit set in state "terminated", its contact terminated with event "unregistered"',
  check(trace) {
    const all = views(trace);
    const checked: number[] = [];
    const unjudged = new Unjudged();
    for (const n of all) {
      if (n.method !== 'NOTIFY' || n.status !== 0) continue;
      // Not one the network sent on its own (RTR, registration expiry: 'network-deregistration').
      if (n.m.procedure !== undefined && n.m.procedure !== 'ics-deregistration') continue;
      // NOTIFYs sent after the S-CSCF received a deregistration for this subscriber.
      const d = registerAt(all, n.from, n.sub, n.seq);
      if (!d || registerExpiry(d) !== 0 || d.t > n.sentAt) continue;
      const peer = n.m.ctx.peerOf(n.from);
      if (peer !== undefined) {
        unjudged.add(`${peer}: its NOTIFYs are not RegLab's to judge`);
        continue;
      }
      checked.push(n.seq);
      const why = notifyViolation(n);
      if (why) return { status: 'failed', detail: `record ${n.seq} (NOTIFY ${n.from}→${n.to}, subscriber ${n.sub}): ${why}${unjudged.suffix()}`, evidence: [n.seq, d.seq] };
    }
    if (!checked.length) return { status: 'not-applicable', detail: unjudged.size ? unjudged.text() : 'no NOTIFY following a deregistration in the watched trace', evidence: [] };
    return { status: 'passed', detail: `${checked.length} NOTIFY(s) checked${unjudged.suffix()}`, evidence: checked.slice(0, 5) };
  },
};

function notifyViolation(n: SipView): string | undefined {
  const ss = n.msg.header('subscription-state') ?? '';
  if (!/^\s*terminated\b/i.test(ss)) return `Subscription-State is '${ss}', not terminated`;
  if (!/^application\/reginfo\+xml/i.test(n.msg.header('content-type') ?? '')) return 'the body is not application/reginfo+xml';
  const body = n.msg.body;
  const regs = [...body.matchAll(/<registration\b([^>]*)>([\s\S]*?)<\/registration>/g)];
  const want = n.m.ctx.ids.implicitSetOf(n.sub);
  const aors = regs.map((r) => /aor="([^"]*)"/.exec(r[1])?.[1]);
  for (const id of want) if (!aors.includes(id)) return `the identity ${id} of the implicit set is not reported`;
  for (const r of regs) {
    const aor = /aor="([^"]*)"/.exec(r[1])?.[1];
    if (!/state="terminated"/.test(r[1])) return `registration ${aor} is not state="terminated"`;
    const contacts = [...r[2].matchAll(/<contact\b([^>]*)>/g)];
    for (const c of contacts) {
      if (!/state="terminated"/.test(c[1]) || !/event="unregistered"/.test(c[1])) return `a contact of ${aor} is not terminated/unregistered: <contact${c[1]}>`;
    }
  }
  return undefined;
}

/** Every rule of the IMS model, in the order docs/ims.md presents them. */
export const IMS_RULES: readonly Rule[] = [pre, step1, step2, step3, step4, step5, step6, step7, on200, regEvent, uarType, sarType, notifyState];
