import type { ParseSuccess } from '../sip/parser.ts';
import type { ImsContext } from '../ims/context.ts';
import { ImsSip, Via, ForeignVia, Shape, Ruri, Party, CallKind, Body, CONTACT_EVENTS } from '../ims/sip-message.ts';
import { splitList } from '../sip/headers.ts';
import { regFromTag, regToTag, subscriberTag, notifierTag, callerTag, calleeTag } from '../ims/tags.ts';
import { ForeignNameTable } from './foreign-names.ts';

/**
 * The decoding half of the IMS SIP codec: a message the strict parser (sim/sip/parser.ts) accepted
 * becomes the model's ImsSip, field by field, so the receiving node runs on what came off the wire
 * — never on the sender's object. The encoding half is ImsSip.wire(); a decoded message renders
 * back to the received text byte for byte (checked per message in test runs: see `verify`).
 *
 * Addresses: the model writes node addresses (RFC 5737, ImsContext.host) and port 5060 in its SIP
 * text; the lab's address book maps them to real sockets (docs/emulation.md). A text the model
 * cannot represent (an identity outside the population, a header form it never writes) is refused
 * with a reason: the transport answers it (400/403/501) and counts it.
 *
 * Real peers (Kamailio, SIPp, sip.js) choose their own names: any RFC 3261 tag, Call-ID and branch,
 * and a Via sent-by of their own address. Those are carried verbatim — a tag or Call-ID through the
 * lab's ForeignNameTable (the number the model carries stands for the peer's text, and renders back
 * as it), a Via as a ForeignVia holding the peer's value — so whatever a node sends back in that
 * transaction or dialog echoes the peer's values byte for byte. Such a message's subscriber comes
 * from its identities (To, From, Request-URI) instead of the model's Call-ID.
 */
export type Decoded = { ok: true; msg: ImsSip } | { ok: false; status: number; reason: string };

/** Observation metadata that is not on the wire (procedure, rule ids, first send time). */
export interface WireMeta {
  procedure: string | undefined;
  rules: readonly string[] | undefined;
  sentAt: number;
}

/**
 * RFC 3261 §17.1.3 / §17.2.3 match transactions on the top Via's branch and sent-by. The model's
 * SIP stack hangs its transactions on the Via object, so the codec interns Via objects by
 * (sent-by node, branch, transport): the Via a node sent is the Via its response decodes to. Two
 * generations, swapped every 64·T1, bound the table (a transaction never outlives Timer F/H/J).
 */
export class ViaTable {
  private young = new Map<string, Via>();
  private old = new Map<string, Via>();
  private swappedAt = 0;
  constructor(private readonly lifetimeNs: number) {}

  /** Registers the Vias of a message a local node sends. */
  noteSent(m: ImsSip, now: number): void {
    this.maybeSwap(now);
    for (let v = m.via; v !== null; v = v.next) {
      const k = key(v.node, v.branch, v.tcp);
      const have = this.young.get(k) ?? this.old.get(k);
      if (have === v) {
        this.young.set(k, v);
        continue;
      }
      this.young.set(k, v);
    }
  }

  intern(node: number, branch: number, tcp: boolean, next: Via | null, now: number): Via {
    this.maybeSwap(now);
    const k = key(node, branch, tcp);
    const have = this.young.get(k) ?? this.old.get(k);
    if (have !== undefined && have.next === next) {
      this.young.set(k, have);
      return have;
    }
    const v = new Via(node, branch, tcp, next);
    this.young.set(k, v);
    return v;
  }

  /**
   * A real peer's Via (by its text): the same object for a retransmission and on every node of the
   * lab, with a branch number of the lab's own (sequential from 0xC0000000, so the transaction
   * tables stay dense and never meet the model's small branch counters).
   */
  internForeign(raw: string, rawBranch: string, node: number, tcp: boolean, next: Via | null, now: number): Via {
    this.maybeSwap(now);
    const k = `f ${raw}`;
    const have = this.young.get(k) ?? this.old.get(k);
    if (have !== undefined && have.next === next) {
      this.young.set(k, have);
      return have;
    }
    this.foreignBranch = this.foreignBranch >= 0xffffffff ? 0xc0000000 : this.foreignBranch + 1;
    const v = new ForeignVia(node, this.foreignBranch, tcp, next, raw, rawBranch);
    this.young.set(k, v);
    return v;
  }
  private foreignBranch = 0xc0000000;

  get size(): number {
    return this.young.size + this.old.size;
  }

  private maybeSwap(now: number): void {
    if (now - this.swappedAt < this.lifetimeNs) return;
    this.old = this.young;
    this.young = new Map();
    this.swappedAt = now;
  }
}

function key(node: number, branch: number, tcp: boolean): string {
  return `${node}/${branch}/${tcp ? 't' : 'u'}`;
}

const ICS_TAGS = ';+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel";+g.3gpp.ics="server"';
const REQUEST_SHAPES: Record<string, Shape> = {
  REGISTER: Shape.Register,
  SUBSCRIBE: Shape.Subscribe,
  NOTIFY: Shape.Notify,
  INVITE: Shape.Invite,
  ACK: Shape.Ack,
  BYE: Shape.Bye,
};

class Refused extends Error {
  constructor(
    readonly status: number,
    reason: string,
  ) {
    super(reason);
  }
}

export class ImsSipCodec {
  private readonly byHost = new Map<string, number>();
  private readonly farRe: RegExp;
  /** Real peers' tags and Call-IDs; the model's renderer reads it through ctx.foreign. */
  readonly names: ForeignNameTable;

  constructor(
    readonly ctx: ImsContext,
    nodeCount: number,
    readonly vias: ViaTable,
  ) {
    for (let i = 0; i < nodeCount; i++) this.byHost.set(ctx.host(i), i);
    const p = ctx.cfgPeers;
    this.farRe = new RegExp(`^sip:\\+(\\d{${p.numberDigits}})@${escapeRe(p.domain)};user=phone$`);
    this.names = ctx.foreign instanceof ForeignNameTable ? ctx.foreign : new ForeignNameTable();
    ctx.foreign = this.names;
  }

  /** The node whose address this is (the model's RFC 5737 host), -1 when none. */
  nodeOfHost(host: string): number {
    return this.byHost.get(host) ?? -1;
  }

  /** `sender`: the node the message came from when the transport knows it (-1 if not): a real peer's Via is filed under it. */
  decode(p: ParseSuccess, now: number, meta?: WireMeta, sender = -1): Decoded {
    try {
      return { ok: true, msg: this.build(p, now, meta, sender) };
    } catch (e) {
      if (e instanceof Refused) return { ok: false, status: e.status, reason: e.message };
      throw e;
    }
  }

  private build(p: ParseSuccess, now: number, meta: WireMeta | undefined, sender: number): ImsSip {
    const s = p.msg;
    const f = p.fields;
    const ctx = this.ctx;
    const ids = ctx.ids;
    const method = f.cseq.method;
    const isReq = s.isRequest;
    let shape: Shape;
    if (isReq) {
      const sh = REQUEST_SHAPES[method];
      if (sh === undefined) throw new Refused(501, `method ${method} is not implemented by the IMS model`);
      shape = sh;
    } else if (s.header('retry-after') !== undefined) shape = Shape.Overload;
    else shape = method === 'REGISTER' ? Shape.RegisterResponse : method === 'SUBSCRIBE' ? Shape.SubscribeResponse : method === 'INVITE' ? Shape.InviteResponse : Shape.Plain;

    // Call-ID: the model's reg-|sub-|call<j>- <token hex8> - <sub hex6> @ <node host> when it is
    // exactly that (the model's tokens are odd), else a real peer's, carried verbatim.
    const cm = /^(reg-|sub-|call(\d+)-)([0-9a-f]{8})-([0-9a-f]{6,})@(.+)$/.exec(f.callId);
    const own = cm !== null && (parseInt(cm[3], 16) & 1) === 1 && this.byHost.has(cm[5]) && parseInt(cm[4], 16).toString(16).padStart(6, '0') === cm[4];
    let sub: number;
    let m: ImsSip;
    if (own) {
      sub = parseInt(cm[4], 16);
      if (!(sub < ctx.population)) throw new Refused(403, `Call-ID names subscriber ${sub}, outside the population of ${ctx.population}`);
      m = new ImsSip(ctx, sub, method, shape);
      m.callKind = cm[1] === 'reg-' ? CallKind.Registration : cm[1] === 'sub-' ? CallKind.Subscription : CallKind.Call + Number(cm[2]);
      m.callToken = parseInt(cm[3], 16);
      m.callHost = this.node(cm[5], 'Call-ID host');
    } else {
      sub = this.subscriberOf(f, isReq ? s.requestUri : undefined);
      m = new ImsSip(ctx, sub, method, shape);
      m.callKind = method === 'REGISTER' ? CallKind.Registration : method === 'SUBSCRIBE' || method === 'NOTIFY' ? CallKind.Subscription : CallKind.Call;
      m.callToken = this.names.internCallId(f.callId);
      m.callHost = Math.max(0, sender);
    }
    m.cseq = f.cseq.seq;
    if (isReq) {
      this.ruri(m, s.requestUri, sub);
    } else {
      m.status = s.status;
      m.reason = (s as { reason: string }).reason;
    }

    // Via: bottom-up, so each hop's object is interned with its own next. A hop is the model's when
    // its sent-by is a node's address and its branch that node's z9hG4bK<node><id> — whatever a peer
    // added on the way (received, rport: RFC 3261 §18.2.1, RFC 3581), since transactions match on
    // branch and sent-by alone (§17.1.3). Any other hop is a real peer's, kept as written.
    const raws = rawVias(s.headers, f.via.length);
    let next: Via | null = null;
    for (let i = f.via.length - 1; i >= 0; i--) {
      const v = f.via[i];
      const t = v.transport.toUpperCase();
      const node = this.byHost.get(v.host);
      const bm = /^z9hG4bK([0-9a-f]{2,})([0-9a-f]{8})$/.exec(v.branch);
      if (node !== undefined && bm && parseInt(bm[1], 16) === node && (t === 'UDP' || t === 'TCP' || t === 'WS' || t === 'WSS') && (v.port === 5060 || v.port === undefined) && v.protocol.toUpperCase() === 'SIP') {
        next = this.vias.intern(node, parseInt(bm[2], 16), t !== 'UDP', next, now);
        continue;
      }
      // RFC 3261 §8.1.1.7: a branch starts with the magic cookie (RFC 2543 peers are not served).
      if (!v.branch.startsWith('z9hG4bK') || v.branch.length <= 7) throw new Refused(400, `Via branch '${v.branch}' does not start with z9hG4bK (RFC 3261 §8.1.1.7)`);
      next = this.vias.internForeign(raws[i], v.branch, node ?? Math.max(0, sender), t !== 'UDP', next, now);
    }
    m.via = next;
    if (isReq) {
      if (f.maxForwards === undefined) throw new Refused(400, 'Max-Forwards missing');
      m.maxForwards = f.maxForwards;
      const route = s.header('route');
      if (route !== undefined) {
        const rm = /^<sip:(orig@)?([^:;>]+):5060;lr>$/.exec(route);
        if (!rm) throw new Refused(400, `Route '${route}' is not <sip:[orig@]host:5060;lr>`);
        m.routeNode = this.node(rm[2], 'Route');
        m.routeOrig = rm[1] !== undefined;
      }
    }
    const rr = s.header('record-route');
    if (rr !== undefined) m.recordRoute = this.node(one(/^<sip:([^:;>]+):5060;lr>$/, rr, 'Record-Route'), 'Record-Route');

    m.fromTag = this.tag(f.from.params, isReq ? roleTag(method, true, m.callToken, f.to.params) : undefined);
    const from = this.party(f.from.uriText, sub, 'From', m.fromTag);
    m.fromParty = from.party;
    m.fromK = from.k;
    m.fromForeign = from.foreign;
    m.toTag = this.tag(f.to.params, isReq ? undefined : roleTag(method, false, m.callToken, f.from.params));
    const to = this.party(f.to.uriText, sub, 'To', m.toTag);
    m.toParty = to.party;
    m.toK = to.k;

    const contact = s.header('contact');
    if (contact !== undefined) this.contact(m, contact, shape === Shape.Register || shape === Shape.RegisterResponse, sender);
    if (shape === Shape.Overload) m.expires = Number(s.header('retry-after'));
    else if (f.expires !== undefined) m.expires = f.expires;
    // Only TS 24.229's auth-done claim is one (the S-CSCF's externalClients policy judges it); a
    // client's digest credentials are not.
    if (/integrity-protected[ \t]*=[ \t]*"auth-done"/i.test(s.header('authorization') ?? '')) m.authDone = true;
    if (s.header('p-asserted-identity') !== undefined) m.assertedIdentity = true;
    if (s.header('p-associated-uri') !== undefined) m.associatedUris = true;
    const sr = s.header('service-route');
    if (sr !== undefined) m.serviceRoute = this.node(one(/^<sip:orig@([^:;>]+):5060;lr>$/, sr, 'Service-Route'), 'Service-Route');
    if (s.header('event') === 'reg') m.event = true;
    const ss = s.header('subscription-state');
    if (ss !== undefined) {
      if (ss === 'terminated') m.subTerminated = true;
      else m.subExpires = Number(one(/^active;expires=(\d+)$/, ss, 'Subscription-State'));
    }
    const ct = s.header('content-type');
    if (ct === 'application/reginfo+xml') this.regInfo(m, s.body);
    else if (ct === 'application/sdp') this.sdp(m, s.body);
    else if (s.body.length > 0) throw new Refused(415, `a body of type '${ct ?? 'none'}' is not one the model carries`);

    if (meta !== undefined) m.sentAt = meta.sentAt;
    return m.seal(meta?.procedure ?? inferProcedure(m), meta?.rules);
  }

  /**
   * A tag: the model's (8 lowercase hex digits, odd) as its number; a peer's through the name
   * table — `role` is the model's value for the sender's role, when the tag is in that position.
   */
  private tag(params: readonly (readonly [string, string | undefined])[], role: number | undefined): number {
    const v = tagText(params);
    if (v === undefined) return 0;
    if (v === '') throw new Refused(400, 'a tag parameter without a value (RFC 3261 §19.3)');
    if (/^[0-9a-f]{8}$/.test(v) && (parseInt(v, 16) & 1) === 1) return parseInt(v, 16);
    return this.names.internTag(v, role);
  }

  /**
   * The subscriber of a real peer's message: the identity in To, From or the Request-URI — for a
   * response, From first (the model sent the request: its From is the model's party, its To may be
   * a lab client's own URI, e.g. sip.js's 200 OK to a NOTIFY about another user).
   */
  private subscriberOf(f: ParseSuccess['fields'], ruri: string | undefined): number {
    for (const uri of ruri === undefined ? [f.from.uriText, f.to.uriText] : [f.to.uriText, f.from.uriText, ruri]) {
      if (uri === undefined) continue;
      const s = this.identityOwner(uri);
      if (s >= 0) return s;
    }
    throw new Refused(403, `neither To '${f.to.uriText}' nor From '${f.from.uriText}' is a public identity of the population (${this.ctx.ids.publicId(0)} …)`);
  }

  /** Whose public identity (or far-end number) a URI is, -1 if nobody's. */
  private identityOwner(uri: string): number {
    const ids = this.ctx.ids;
    const n = this.ctx.population;
    const fm = this.farRe.exec(uri);
    if (fm) {
      const s = Number(fm[1]) - this.ctx.cfgPeers.numberBase;
      return s >= 0 && s < n ? s : -1;
    }
    let s = ids.subscriberOf(uri);
    if (s >= 0 && s < n) return s;
    // tel:+<MSISDN>, sip:+<MSISDN>@ims…;user=phone, sip:<IMSI>.<k>@ims…: found by rendering the candidate back.
    const d = /^(?:tel:\+|sip:\+)(\d+)|^sip:(\d+)\.\d+@/.exec(uri);
    if (d) {
      s = d[1] !== undefined ? Number(d[1]) - Number(ids.msisdn(0)) : ids.subscriberOf(`sip:${d[2]}@${ids.homeDomain}`);
      if (s >= 0 && s < n && this.publicK(uri, s) >= 0) return s;
    }
    return -1;
  }

  private node(host: string, what: string): number {
    const i = this.byHost.get(host);
    if (i === undefined) throw new Refused(400, `${what} host '${host}' is no node of this network`);
    return i;
  }

  private ruri(m: ImsSip, uri: string, sub: number): void {
    const ids = this.ctx.ids;
    if (uri === ids.homeDomainUri) {
      m.ruri = Ruri.Home;
      return;
    }
    const nm = /^sip:([^:;@]+):5060$/.exec(uri);
    if (nm) {
      m.ruri = Ruri.Node;
      m.ruriNode = this.node(nm[1], 'Request-URI');
      return;
    }
    if (this.isFar(uri, sub)) {
      m.ruri = Ruri.Far;
      return;
    }
    const k = this.publicK(uri, sub);
    if (k < 0) throw new Refused(404, `Request-URI '${uri}' is no identity of subscriber ${sub}`);
    m.ruri = Ruri.Public;
    m.ruriK = k;
  }

  private isFar(uri: string, sub: number): boolean {
    const fm = this.farRe.exec(uri);
    return fm !== null && Number(fm[1]) === this.ctx.cfgPeers.numberBase + sub;
  }

  private publicK(uri: string, sub: number): number {
    const ids = this.ctx.ids;
    for (let k = 0; k < ids.implicitSet; k++) if (ids.publicId(sub, k) === uri) return k;
    return -1;
  }

  /**
   * From / To: the far end, an identity of the subscriber, or — beside a real peer's own tag — the
   * peer's own URI (a lab client's From in its reg-event SUBSCRIBE to another user's identity, and
   * the To of its answers), carried verbatim through the name table and never rewritten: the
   * model's messages in that dialog render it back by the tag (RFC 3261 §8.2.6.2, §12.1.1). Whether
   * the S-CSCF serves such a request is its regEventAuthorization policy's, not the codec's.
   */
  private party(uri: string, sub: number, what: string, tag: number): { party: Party; k: number; foreign: boolean } {
    if (this.isFar(uri, sub)) return { party: Party.Far, k: 0, foreign: false };
    const k = this.publicK(uri, sub);
    if (k >= 0) return { party: Party.Public, k, foreign: false };
    if (tag === 0 || this.names.tag(tag) === undefined || !/^sips?:[\x21-\x3b\x3d\x3f-\x7e]+$/.test(uri))
      throw new Refused(403, `${what} '${uri}' is no public identity of subscriber ${sub}`);
    this.names.setPartyUri(tag, uri);
    return { party: Party.Public, k: 0, foreign: true };
  }

  private contact(m: ImsSip, value: string, binding: boolean, sender: number): void {
    // A real peer's own Contact (a UA writes sip:user@host;transport=ws, RFC 7118 §5.2): carried
    // verbatim for the node it plays, as its tags and Call-IDs are; only `expires` is read.
    const fm = /^<(sips?:[\x21-\x3b\x3d\x3f-\x7e]+)>(.*)$/.exec(value);
    if (sender >= 0 && fm && !/^<sip:[^:;>@]+:5060>/.test(value)) {
      m.contactNode = sender;
      this.names.setContact(sender, fm[1]);
      const em = /;expires=(\d+)/.exec(fm[2]);
      if (binding && em) m.contactExpires = Number(em[1]);
      return;
    }
    const cm = /^<sip:([^:;>]+):5060>(.*)$/.exec(value);
    if (!cm) throw new Refused(400, `Contact '${value}' is not <sip:host:5060> as the model writes it`);
    m.contactNode = this.node(cm[1], 'Contact');
    let rest = cm[2];
    if (!binding) {
      if (rest !== '') throw new Refused(400, `Contact parameters '${rest}' are not the model's`);
      return;
    }
    const em = /^;expires=(\d+)/.exec(rest);
    if (em) {
      m.contactExpires = Number(em[1]);
      rest = rest.slice(em[0].length);
    }
    const im = /^;\+sip\.instance="<([^>]+)>"/.exec(rest);
    if (im) {
      m.contactInstance = this.instance(im[1]);
      rest = rest.slice(im[0].length);
    }
    if (rest === ICS_TAGS) m.contactIcs = true;
    else if (rest !== '') throw new Refused(400, `Contact parameters '${rest}' are not the model's`);
  }

  private instance(urn: string): number {
    const um = /^urn:gsma:imei:(\d{8})-(\d{6})-0$/.exec(urn);
    if (!um) throw new Refused(400, `+sip.instance '${urn}' is not urn:gsma:imei:<TAC>-<SNR>-0`);
    const i = Number(um[1]) * 1e6 + Number(um[2]) - Number(this.ctx.cfg.imeiBase);
    if (!(i >= 0 && i < this.ctx.population)) throw new Refused(403, `+sip.instance '${urn}' is no device of the population`);
    return i;
  }

  private regInfo(m: ImsSip, body: string): void {
    const vm = /version="(\d+)"/.exec(body);
    const cm = /<contact id="c([0-9a-f]{8})" state="(active|terminated)" event="([a-z]+)"(?: expires="(\d+)")?>\r\n {3}<uri>sip:([^:<]+):5060<\/uri>/.exec(body);
    if (!vm || !cm) throw new Refused(400, 'reginfo body is not the model\'s (version, contact id/state/event, uri)');
    m.body = Body.RegInfo;
    m.regVersion = Number(vm[1]);
    m.regTerminated = /<registration [^>]*state="terminated"/.test(body);
    m.bindToken = parseInt(cm[1], 16);
    const ev = CONTACT_EVENTS.indexOf(cm[3] as (typeof CONTACT_EVENTS)[number]);
    if (ev < 0) throw new Refused(400, `reginfo contact event '${cm[3]}' is not an RFC 3680 event`);
    m.contactEvent = ev;
    if (cm[4] !== undefined) m.contactExpires = Number(cm[4]);
    m.regContact = this.node(cm[5], 'reginfo contact');
    const im = /<unknown-param name="\+sip\.instance">"&lt;([^&]+)&gt;"/.exec(body);
    if (im) m.contactInstance = this.instance(im[1]);
  }

  private sdp(m: ImsSip, body: string): void {
    const om = /^v=0\r\no=- (\d+) ([12]) IN IP4 /.exec(body);
    if (!om) throw new Refused(400, 'SDP body is not the model\'s (o=- <session> 1|2 IN IP4 …)');
    m.body = om[2] === '1' ? Body.SdpOffer : Body.SdpAnswer;
  }

  /**
   * Checks the decode: the model's rendering of the decoded message is the received text. A
   * difference means the codec lost a field (a bug), reported with the first differing line.
   */
  static verify(m: ImsSip, received: string): string | undefined {
    const w = m.wire();
    if (w === received) return undefined;
    const a = w.split('\r\n');
    const b = received.split('\r\n');
    for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return `line ${i + 1}: decoded '${a[i]}' ≠ received '${b[i]}'`;
    return 'texts differ';
  }
}

/** The procedure of a message from an external peer (no metadata came with it): by method and Call-ID family. */
function inferProcedure(m: ImsSip): string | undefined {
  if (m.callKind === CallKind.Subscription) return 'reg-event-subscription';
  if (m.callKind >= CallKind.Call) return 'session-setup';
  return undefined;
}

function tagText(params: readonly (readonly [string, string | undefined])[]): string | undefined {
  for (const [n, v] of params) if (n.toLowerCase() === 'tag') return v ?? '';
  return undefined;
}

/**
 * The model's tag for the sender of a message in its dialog (tags.ts): a request's From, a
 * response's To. A BYE's sender is the caller unless the receiver's tag is the caller's.
 */
function roleTag(method: string, isReq: boolean, token: number, other: readonly (readonly [string, string | undefined])[]): number | undefined {
  switch (method) {
    case 'REGISTER':
      return isReq ? regFromTag(token) : regToTag(token);
    case 'SUBSCRIBE':
      return isReq ? subscriberTag(token) : notifierTag(token);
    case 'NOTIFY':
      return isReq ? notifierTag(token) : subscriberTag(token);
    case 'INVITE':
    case 'ACK':
      return isReq ? callerTag(token) : calleeTag(token);
    case 'BYE': {
      const o = tagText(other);
      const otherIsCaller = o !== undefined && /^[0-9a-f]{8}$/.test(o) && parseInt(o, 16) === callerTag(token);
      return otherIsCaller ? calleeTag(token) : callerTag(token);
    }
    default:
      return undefined;
  }
}

/** The Via values as written (one per hop, in order), for a peer's hop to be rendered back verbatim. */
function rawVias(headers: readonly (readonly [string, string])[], count: number): string[] {
  const out: string[] = [];
  for (const [n, v] of headers) {
    const k = n.toLowerCase();
    if (k !== 'via' && k !== 'v') continue;
    const l = splitList(v);
    if (l.ok) out.push(...l.value);
  }
  if (out.length !== count) throw new Refused(400, 'Via values could not be told apart');
  return out;
}

function one(re: RegExp, value: string, what: string): string {
  const r = re.exec(value);
  if (!r) throw new Refused(400, `${what} '${value}' is not in the model's form`);
  return r[1];
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
