import type { Message } from '../net/message.ts';
import type { ImsContext } from './context.ts';
import { LengthSink, MarkingSink, StringSink, decDigits, type TextSink } from './text-sink.ts';
import { RULE } from './rule-ids.ts';
import { LANE_B, LANE_C, LANE_D, digestJoin, digestString, digestWord, digestWords } from '../net/digest.ts';
import type { WireMark } from '../observe/records.ts';
import { timeHigh, timeLow } from '../kernel/time.ts';

/**
 * The SIP messages of the IMS model (REGISTER, SUBSCRIBE, NOTIFY, INVITE, ACK, BYE and their
 * responses) in a compact form built for populations of millions: a handful of numbers per
 * message instead of header strings. `bytes` is exact for every message (a LengthSink pass over
 * the same renderer that writes the text); `wire()` renders RFC 3261 text only when someone reads
 * it — watched subscribers, exports, tests.
 *
 * The text follows RFC 3261 §7 and §20: one header per line, Content-Length always last and
 * always right, a Via per hop with a `z9hG4bK` branch unique per transaction, Max-Forwards on
 * requests. Every message parses with RegLab's strict parser and with sip.js (test/ims/).
 *
 * Where a field realises a step of TS 24.292 §6.3.6.2, the builder (msc-registration.ts, msc-deregistration.ts, …) cites the step and
 * attaches its rule id to the message (`rules`).
 */

/** A Via header field value (one hop), most recent first. */
export class Via {
  /** RFC 3261 §17.1.3 / §17.2.3: transactions match on branch and sent-by (SipStack), not on this object. */
  constructor(
    /** The node that added it (its address is the sent-by). */
    readonly node: number,
    /** Transaction id, unique per node; rendered z9hG4bK<node hex2><id hex8>. */
    readonly branch: number,
    /** Transport of the hop: TCP on stream links, UDP on datagram links. */
    readonly tcp: boolean,
    readonly next: Via | null,
  ) {}
  /**
   * A real peer's Via value as it came (ForeignVia), undefined for the model's own: declared on the
   * prototype, so the model's Vias carry no extra field (millions of them in a storm).
   */
  declare readonly raw: string | undefined;
  /** A real peer's branch parameter (ForeignVia). */
  declare readonly rawBranch: string | undefined;
}
(Via.prototype as { raw: string | undefined; rawBranch: string | undefined }).raw = undefined;
(Via.prototype as { raw: string | undefined; rawBranch: string | undefined }).rawBranch = undefined;

/**
 * A Via a real peer wrote (the emulation lab's decoder, sim/emulate/ims-sip-codec.ts): rendered back
 * byte for byte from `raw`; `branch` is a number of the lab's standing for the peer's branch text,
 * so the transaction tables (sip-stack.ts) match it like any other.
 */
export class ForeignVia extends Via {
  constructor(node: number, branch: number, tcp: boolean, next: Via | null, raw: string, rawBranch: string) {
    super(node, branch, tcp, next);
    Object.defineProperty(this, 'raw', { value: raw, enumerable: true });
    Object.defineProperty(this, 'rawBranch', { value: rawBranch, enumerable: true });
  }
}

/** How each kind of message is laid out (which headers it carries). */
export const enum Shape {
  Register = 0,
  RegisterResponse,
  Subscribe,
  SubscribeResponse,
  Notify,
  Invite,
  InviteResponse,
  Ack,
  Bye,
  /** Any other response: the mandatory headers only (200 BYE, 200 NOTIFY, 403, 408, 480, 481, 5xx…). */
  Plain,
  /** 503 from an overloaded node: mandatory headers + Retry-After (seconds in `expires`). */
  Overload,
  /** 423 Interval Too Brief: mandatory headers + Min-Expires (seconds in `expires`, RFC 3261 §10.3 step 7). */
  TooBrief,
}

/** Request-URI kinds. */
export const enum Ruri {
  /** sip:<home domain> (REGISTER, §6.3.6.2 step 1). */
  Home = 0,
  /** A public user identity of the subscriber (SUBSCRIBE to reg). */
  Public,
  /** A node's contact address (NOTIFY to the MSC; ACK/BYE to the far end). */
  Node,
  /** The far-end party's address of record (INVITE). */
  Far,
}

/** From / To parties. */
export const enum Party {
  /** Public user identity k of the subscriber. */
  Public = 0,
  /** The far-end party the subscriber talks to. */
  Far,
}

/** Call-ID families (the prefix of the Call-ID: reg-, sub-, call<j>-). */
export const enum CallKind {
  Registration = 0,
  Subscription = 1,
  /** Dialog slot j is CallKind.Call + j. */
  Call = 2,
}

export const enum Body {
  None = 0,
  RegInfo,
  SdpOffer,
  SdpAnswer,
}

/** RFC 3680 contact event attribute values. */
export const CONTACT_EVENTS = ['registered', 'created', 'refreshed', 'shortened', 'expired', 'deactivated', 'probation', 'unregistered', 'rejected'] as const;
export const enum ContactEvent {
  Registered = 0,
  Created,
  Refreshed,
  Shortened,
  Expired,
  Deactivated,
  Probation,
  Unregistered,
  Rejected,
}

/** The ICS feature tags of the MSC's Contact (TS 24.292 §6.3.3 [R]). */
const ICS_TAGS = ';+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel";+g.3gpp.ics="server"';

const lengthSink = new LengthSink();
/** The From / To fields of ImsSip.bits (fromParty bit 9, toParty bit 10, fromK bits 21–24, toK bits 25–28). */
const PARTY_BITS = (1 << 9) | (1 << 10) | (15 << 21) | (15 << 25);
const KIND_CACHE = new Map<number, string>();
const METHODS = ['REGISTER', 'SUBSCRIBE', 'NOTIFY', 'INVITE', 'ACK', 'BYE', 'OPTIONS', 'CANCEL', 'MESSAGE', 'UPDATE', 'PRACK', 'INFO', 'REFER', 'PUBLISH'];

/** 'REGISTER', '200 REGISTER', … without building a string per message. */
function kindOf(method: string, status: number): string {
  if (status === 0) return method;
  const mi = METHODS.indexOf(method);
  if (mi < 0) return `${status} ${method}`;
  const key = status * 32 + mi;
  let k = KIND_CACHE.get(key);
  if (k === undefined) KIND_CACHE.set(key, (k = `${status} ${method}`));
  return k;
}

/**
 * One SIP message. Fields are plain numbers (node indices, tokens, counters) so that a message of
 * an unwatched subscriber costs one small object; -1 means "absent" throughout.
 */
export class ImsSip implements Message {
  // Constants live on the prototype: a field per message would cost 16 bytes × millions.
  get proto(): string {
    return 'sip';
  }
  get entries(): number {
    return 1;
  }
  kind = '';
  bytes = 0;
  procedure: string | undefined = undefined;
  rules: readonly string[] | undefined = undefined;
  // Numbers that do not fit a small integer (32-bit tokens and tags, ns times) are stored as int32
  // or as two small integers: a field holding a uint32 ≥ 2^31 or a time in ns would be a boxed
  // double, one more allocation per field and message (5 per message before). Accessors below.
  private sentHi = -1;
  private sentLo = 0;
  private fromTag32 = 0;
  private toTag32 = 0;
  private callToken32 = 0;
  private bindToken32 = 0;

  // start line
  method: string;
  status = 0;
  reason = '';
  ruriNode = -1;
  shape: Shape;

  via: Via | null = null;
  maxForwards = -1;
  /** Route: <sip:[orig@]host:5060;lr> (node, -1 none). */
  routeNode = -1;
  /** Record-Route: <sip:host:5060;lr> (node, -1 none). */
  recordRoute = -1;

  callKind: number = CallKind.Registration;
  callHost = -1;
  cseq = 1;

  /** Contact: <sip:host:5060> of this node (-1 none). */
  contactNode = -1;
  /** Whose IMEI is the +sip.instance (a subscriber index; -1: no +sip.instance). */
  contactInstance = -1;
  /** expires parameter of the Contact (-1 none). The ICS feature tags: `contactIcs`, a flag in `bits`. */
  contactExpires = -1;
  /** Expires header (-1 none). */
  expires = -1;

  /** 200 REGISTER: Service-Route via this node (-1 none). Authorization and P-Associated-URI: flags in `bits`. */
  serviceRoute = -1;

  /** NOTIFY: Subscription-State active;expires= this (s). The Event header and the states: flags in `bits`. */
  subExpires = -1;

  /** reginfo: version (the registration state, contact event and binding token: `bits` and accessors). */
  regVersion = 0;
  /** reginfo: the registered contact's node (the MSC), -1 none. */
  regContact = -1;

  /**
   * Small fields packed into one integer (a message of an unwatched subscriber should cost as few
   * bytes as possible; accessors keep the code readable). Layout: flags in bits 0–6, then
   * ruri (2), fromParty (1), toParty (1), body (2), contactEvent (4), ruriK (4), fromK (4), toK (4).
   */
  bits = 0;
  private flag(f: number): boolean {
    return (this.bits & f) !== 0;
  }
  private setFlag(f: number, v: boolean): void {
    this.bits = v ? this.bits | f : this.bits & ~f;
  }
  private field(shift: number, mask: number): number {
    return (this.bits >>> shift) & mask;
  }
  private setField(shift: number, mask: number, v: number): void {
    if (v < 0 || v > mask) throw new RangeError(`ImsSip field value ${v} out of range 0…${mask}`);
    this.bits = (this.bits & ~(mask << shift)) | (v << shift);
  }
  /** When the sender first put it on the wire (ns; -1 before): the rule checker orders steps by it. */
  get sentAt(): number {
    return this.sentHi < 0 ? -1 : this.sentHi * 1073741824 + this.sentLo;
  }
  set sentAt(t: number) {
    if (t < 0) {
      this.sentHi = -1;
      this.sentLo = 0;
    } else {
      this.sentHi = timeHigh(t);
      this.sentLo = timeLow(t);
    }
  }
  /** From tag (32-bit, 0 none). */
  get fromTag(): number {
    return this.fromTag32 >>> 0;
  }
  set fromTag(v: number) {
    this.fromTag32 = v | 0;
  }
  /** To tag (32-bit, 0 none). */
  get toTag(): number {
    return this.toTag32 >>> 0;
  }
  set toTag(v: number) {
    this.toTag32 = v | 0;
  }
  /** The 32-bit token of the Call-ID (registration, subscription or dialog). */
  get callToken(): number {
    return this.callToken32 >>> 0;
  }
  set callToken(v: number) {
    this.callToken32 = v | 0;
  }
  /** reginfo: the binding's token (the contact id). */
  get bindToken(): number {
    return this.bindToken32 >>> 0;
  }
  set bindToken(v: number) {
    this.bindToken32 = v | 0;
  }
  /** Route carries the "orig" user part (Service-Route). */
  get routeOrig(): boolean {
    return this.flag(1);
  }
  set routeOrig(v: boolean) {
    this.setFlag(1, v);
  }
  /** Carry the ICS feature tags (the MSC's REGISTER Contact). */
  get contactIcs(): boolean {
    return this.flag(2);
  }
  set contactIcs(v: boolean) {
    this.setFlag(2, v);
  }
  /** REGISTER: Authorization with integrity-protected="auth-done" and P-Visited-Network-ID. */
  get authDone(): boolean {
    return this.flag(4);
  }
  set authDone(v: boolean) {
    this.setFlag(4, v);
  }
  /** 200 REGISTER: P-Associated-URI with the implicit set. */
  get associatedUris(): boolean {
    return this.flag(8);
  }
  set associatedUris(v: boolean) {
    this.setFlag(8, v);
  }
  /** reg event: an Event: reg header. */
  get event(): boolean {
    return this.flag(16);
  }
  set event(v: boolean) {
    this.setFlag(16, v);
  }
  /** NOTIFY: Subscription-State terminated (else active). */
  get subTerminated(): boolean {
    return this.flag(32);
  }
  set subTerminated(v: boolean) {
    this.setFlag(32, v);
  }
  /** reginfo: registration state terminated (else active). */
  get regTerminated(): boolean {
    return this.flag(64);
  }
  set regTerminated(v: boolean) {
    this.setFlag(64, v);
  }
  /**
   * P-Asserted-Identity (RFC 3325; TS 24.229 §5.2.6.3.3, TS 24.292: the MSC Server, a trusted node,
   * asserts the served user's identity): the From identity (public identity fromK), bit 29.
   */
  get assertedIdentity(): boolean {
    return this.flag(1 << 29);
  }
  set assertedIdentity(v: boolean) {
    this.setFlag(1 << 29, v);
  }
  /**
   * From names a party outside the subscriber's identities — a real peer's own URI (emulation only:
   * a lab client watching another user's reg event), rendered verbatim by its tag (ctx.foreign), bit 30.
   */
  get fromForeign(): boolean {
    return this.flag(1 << 30);
  }
  set fromForeign(v: boolean) {
    this.setFlag(1 << 30, v);
  }
  get ruri(): Ruri {
    return this.field(7, 3);
  }
  set ruri(v: Ruri) {
    this.setField(7, 3, v);
  }
  get fromParty(): Party {
    return this.field(9, 1);
  }
  set fromParty(v: Party) {
    this.setField(9, 1, v);
  }
  get toParty(): Party {
    return this.field(10, 1);
  }
  set toParty(v: Party) {
    this.setField(10, 1, v);
  }
  get body(): Body {
    return this.field(11, 3);
  }
  set body(v: Body) {
    this.setField(11, 3, v);
  }
  /** reginfo: the contact's event attribute. */
  get contactEvent(): ContactEvent {
    return this.field(13, 15);
  }
  set contactEvent(v: ContactEvent) {
    this.setField(13, 15, v);
  }
  /** Public identity index of a Ruri.Public Request-URI. */
  get ruriK(): number {
    return this.field(17, 15);
  }
  set ruriK(v: number) {
    this.setField(17, 15, v);
  }
  /** Identity k of the implicit set in From / To (Party.Public). */
  get fromK(): number {
    return this.field(21, 15);
  }
  set fromK(v: number) {
    this.setField(21, 15, v);
  }
  get toK(): number {
    return this.field(25, 15);
  }
  set toK(v: number) {
    this.setField(25, 15, v);
  }

  constructor(
    readonly ctx: ImsContext,
    readonly sub: number,
    method: string,
    shape: Shape,
  ) {
    this.method = method;
    this.shape = shape;
  }

  /** Computes kind and exact bytes; call once all fields are set (builders do). */
  seal(procedure: string | undefined, rules: readonly string[] | undefined): this {
    return this.sealAs(procedure, rules, this.computeLength());
  }

  /** seal() with the length already known (a proxy's copy: the original's ± the lines it changed). */
  private sealAs(procedure: string | undefined, rules: readonly string[] | undefined, bytes: number): this {
    this.procedure = procedure;
    this.rules = rules;
    this.kind = kindOf(this.method, this.status);
    this.bytes = bytes;
    if (CHECK_BYTES) {
      const slow = this.renderedLength();
      if (slow !== bytes) throw new Error(`ImsSip ${this.kind}: computed ${bytes} bytes, renders ${slow} — computeLength() and writeHead() disagree`);
      const full = this.computeLength();
      if (full !== bytes) throw new Error(`ImsSip ${this.kind}: length carried over as ${bytes} bytes, computeLength() gives ${full}`);
    }
    return this;
  }

  /**
   * The content digest for the trace hash (Message.digest()): every field the renderer reads, from
   * the run's salt (ImsContext.digestSalt: domains, addresses). Arithmetic on the compact fields,
   * never a rendering (DESIGN principle 5); test/ims/sip-digest.test.ts checks, field by field and
   * over the learn scenarios' messages, that a change on the wire changes it.
   *
   * Four independent FNV lanes joined at the end (digestJoin): every step is still a bijection of
   * its lane and the join is one in each lane, so one changed field always changes the digest, but
   * the CPU runs the lanes side by side instead of one 25-multiply chain (every message of a 1 M
   * storm is digested: BENCHMARKS.md, issue 12).
   */
  digest(): number {
    let a = digestWords(digestWord(this.ctx.digestSalt, this.sub), this.shape, this.status, this.bits, this.ruriNode);
    let b = digestWords(LANE_B, this.maxForwards, this.routeNode, this.recordRoute, this.fromTag32);
    let c = digestWords(LANE_C, this.callToken32, this.callHost, this.cseq, this.contactNode);
    let d = digestWords(LANE_D, this.expires, this.serviceRoute, this.subExpires, this.regVersion);
    b = digestWord(digestWord(b, this.toTag32), this.callKind);
    c = digestWord(digestWord(c, this.contactInstance), this.contactExpires);
    d = digestWord(digestWord(d, this.regContact), this.bindToken32);
    // The Via chain (node and transport in one word: node * 2 + tcp is one-to-one for node indices).
    for (let v = this.via; v !== null; v = v.next) a = digestWord(digestWord(a, v.node * 2 + (v.tcp ? 1 : 0)), v.branch);
    if (this.status !== 0) d = digestString(d, this.reason);
    return digestJoin(a, b, c, d);
  }

  /** The length by running the renderer into a LengthSink (the reference computeLength() is checked against). */
  renderedLength(): number {
    const o = lengthSink;
    o.len = 0;
    this.writeHead(o);
    const head = o.len;
    o.len = 0;
    this.writeBody(o);
    const body = o.len;
    return head + contentLengthLength(body) + body;
  }

  /**
   * Whether it travels over TCP (the transport its top Via names: the request's own, or for a
   * response the request's — RFC 3261 §18.2.2), even on a datagram path (§18.1.1 size rule): the
   * network then neither loses it like a datagram nor lets a loss pass silently (sim/net).
   */
  get stream(): boolean {
    return this.via !== null && this.via.tcp;
  }

  get isRequest(): boolean {
    return this.status === 0;
  }

  /** The top Via's branch (the transaction id, RFC 3261 §17). */
  get branch(): string {
    const v = this.via;
    if (v === null) return '';
    const o = new StringSink();
    writeBranch(o, v);
    return o.out;
  }

  /** The message as RFC 3261 text. */
  wire(): string {
    const o = new StringSink();
    this.writeHead(o);
    const b = new StringSink();
    this.writeBody(b);
    return `${o.out}Content-Length: ${b.out.length}\r\n\r\n${b.out}`;
  }

  /** wire(), with where each spec step this message cites shows in it (the trace's marks). */
  wireMarked(): { wire: string; marks: readonly WireMark[] } {
    const o = new MarkingSink();
    this.writeHead(o);
    const b = new StringSink();
    this.writeBody(b);
    return { wire: `${o.out}Content-Length: ${b.out.length}\r\n\r\n${b.out}`, marks: o.marks };
  }

  /** Start of a cited stretch of text (marking sinks only; -1 otherwise, and then cite() does nothing). */
  private static from(o: TextSink): number {
    return o.at ? o.at() : -1;
  }

  /** Notes that the text written since `start` realises `rule`, if this message cites it. */
  private cite(o: TextSink, rule: string, start: number): void {
    if (start >= 0 && this.rules !== undefined && this.rules.includes(rule)) o.mark!(rule, start);
  }

  /** First value of a header, by name (case-insensitive), read off the rendered text: for tests and rare paths. */
  header(name: string): string | undefined {
    return this.headerAll(name)[0];
  }

  headerAll(name: string): string[] {
    const want = name.toLowerCase();
    const text = this.wire();
    const head = text.slice(0, text.indexOf('\r\n\r\n'));
    const out: string[] = [];
    for (const line of head.split('\r\n').slice(1)) {
      const c = line.indexOf(':');
      if (line.slice(0, c).trim().toLowerCase() === want) out.push(line.slice(c + 1).trim());
    }
    return out;
  }

  /** Header lines as [name, value] (what a SipMessage exposes as `headers`), rendered on demand. */
  get headers(): [string, string][] {
    const text = this.wire();
    const head = text.slice(0, text.indexOf('\r\n\r\n'));
    return head
      .split('\r\n')
      .slice(1)
      .filter((l) => !/^content-length\s*:/i.test(l))
      .map((l) => {
        const c = l.indexOf(':');
        return [l.slice(0, c), l.slice(c + 1).trim()] as [string, string];
      });
  }

  get requestUri(): string {
    const o = new StringSink();
    this.writeRuri(o);
    return o.out;
  }

  // ---- copies: what proxies and responders build from a message they received -------------------

  /** A field-for-field copy (unsealed). */
  copy(): ImsSip {
    const m = new ImsSip(this.ctx, this.sub, this.method, this.shape);
    m.status = this.status;
    m.reason = this.reason;
    m.bits = this.bits;
    m.ruriNode = this.ruriNode;
    m.via = this.via;
    m.maxForwards = this.maxForwards;
    m.routeNode = this.routeNode;
    m.recordRoute = this.recordRoute;
    m.fromTag32 = this.fromTag32;
    m.toTag32 = this.toTag32;
    m.callKind = this.callKind;
    m.callToken32 = this.callToken32;
    m.callHost = this.callHost;
    m.cseq = this.cseq;
    m.contactNode = this.contactNode;
    m.contactInstance = this.contactInstance;
    m.contactExpires = this.contactExpires;
    m.expires = this.expires;
    m.serviceRoute = this.serviceRoute;
    m.subExpires = this.subExpires;
    m.regVersion = this.regVersion;
    m.regContact = this.regContact;
    m.bindToken32 = this.bindToken32;
    return m;
  }

  /**
   * The request as a proxy forwards it (RFC 3261 §16.6): its own Via on top, Max-Forwards − 1, its
   * own Route entry removed (loose routing), optionally a Record-Route of its own. Sealed with the
   * same procedure and rules.
   */
  forwardedBy(node: number, branch: number, tcp: boolean, recordRoute = false): ImsSip {
    const m = this.copy();
    const via = new Via(node, branch, tcp, this.via);
    m.via = via;
    m.maxForwards = this.maxForwards - 1;
    // The length: the original's (a sealed request) plus the lines that change, as computeLength() counts them.
    let n = this.bytes + viaLength(this.ctx, via) + decimalLength(m.maxForwards) - decimalLength(this.maxForwards);
    if (m.routeNode === node) {
      n -= routeLength(this.ctx, this.routeNode, this.routeOrig);
      m.routeNode = -1;
      m.routeOrig = false;
    }
    if (recordRoute) {
      n += recordRouteLength(this.ctx, node) - (this.recordRoute >= 0 ? recordRouteLength(this.ctx, this.recordRoute) : 0);
      m.recordRoute = node;
    }
    return this.bytes > 0 && this.status === 0 ? m.sealAs(this.procedure, this.rules, n) : m.seal(this.procedure, this.rules);
  }

  /**
   * A response to this request (RFC 3261 §8.2.6): Via, From, To (with `toTag`), Call-ID and CSeq
   * copied; the shape says what else it carries. Unsealed: the caller sets the extras, then seals.
   */
  response(status: number, reason: string, shape: Shape, toTag: number): ImsSip {
    const m = new ImsSip(this.ctx, this.sub, this.method, shape);
    m.status = status;
    m.reason = reason;
    m.via = this.via;
    m.recordRoute = this.recordRoute;
    m.bits = this.bits & PARTY_BITS; // fromParty, fromK, toParty, toK
    m.fromTag32 = this.fromTag32;
    m.toTag = this.toTag32 !== 0 ? this.toTag32 : toTag;
    m.callKind = this.callKind;
    m.callToken32 = this.callToken32;
    m.callHost = this.callHost;
    m.cseq = this.cseq;
    return m;
  }

  /** The response as the proxy passes it back (RFC 3261 §16.7 step 3: its own Via removed). */
  relayedBack(): ImsSip {
    const m = this.copy();
    const v = this.via;
    if (v === null || this.bytes <= 0) return m.seal(this.procedure, this.rules);
    m.via = v.next;
    return m.sealAs(this.procedure, this.rules, this.bytes - viaLength(this.ctx, v));
  }

  // ---- rendering -------------------------------------------------------------------------------
  //
  // writeHead() writes the header lines; computeLength() adds up the same lines' lengths without
  // building them (DESIGN principle 5). Both walk the headers in the same order, and each header's
  // writer and length function sit side by side below, so a change to one is seen next to the other.
  // Every test run cross-checks the two (REGLAB_TEST=1 → CHECK_BYTES).

  private writeHead(o: TextSink): void {
    const isReq = this.status === 0;
    const from = ImsSip.from;
    // Where a header realises a §6.3.6.2 step the message cites, cite() marks its text (wireMarked).
    let at = from(o);
    this.writeStartLine(o);
    this.cite(o, RULE.s1, at); // 24.292:6.3.6.2/1: Request-URI = the home network's domain
    for (let v = this.via; v !== null; v = v.next) {
      at = from(o);
      writeVia(o, this.ctx, v);
      if (v.next === null) this.cite(o, RULE.s5, at); // 24.292:6.3.6.2/5: the sender's Via, sent-by = the MSC
    }
    if (isReq) {
      this.writeMaxForwards(o);
      if (this.routeNode >= 0) writeRoute(o, this.ctx, this.routeNode, this.routeOrig);
    }
    if (this.recordRoute >= 0) writeRecordRoute(o, this.ctx, this.recordRoute);
    at = from(o);
    this.writeFrom(o);
    this.cite(o, RULE.s2, at); // 24.292:6.3.6.2/2: From = the identity being deregistered
    at = from(o);
    this.writeTo(o);
    this.cite(o, RULE.s3, at); // 24.292:6.3.6.2/3: To = the same identity
    at = from(o);
    this.writeCallId(o);
    this.writeCSeq(o);
    this.cite(o, RULE.s7, at); // 24.292:6.3.6.2/7 via §6.3.3: the binding's Call-ID, CSeq + 1
    if (this.assertedIdentity) this.writeAssertedIdentity(o);
    switch (this.shape) {
      case Shape.Register:
        // TS 24.292 §6.3.3 / §6.3.6.2 step 4: the MSC's address, the registration's instance ID, feature tags.
        at = from(o);
        this.writeBindingContactLine(o);
        this.cite(o, RULE.s4, at); // 24.292:6.3.6.2/4
        at = from(o);
        this.writeExpires(o);
        if (this.expires === 0) this.cite(o, RULE.s6, at); // 24.292:6.3.6.2/6: Expires: 0
        // TS 24.229 §5.4.1.2.2 / REFERENCE §1: the MSC authenticated the user; no challenge.
        at = from(o);
        if (this.authDone) this.writeAuthorization(o);
        this.cite(o, RULE.s7, at); // 24.292:6.3.6.2/7 via §6.3.3: auth-done, P-Visited-Network-ID
        o.s(SUPPORTED_PATH);
        break;
      case Shape.RegisterResponse:
        // RFC 3261 §10.3 step 8 / TS 24.229 §5.4.1.4: the bindings, a removed one with expires=0.
        if (this.contactNode >= 0) this.writeBindingContactLine(o);
        if (this.associatedUris) this.writeAssociatedUris(o);
        if (this.serviceRoute >= 0) writeServiceRoute(o, this.ctx, this.serviceRoute);
        break;
      case Shape.Subscribe:
        this.writeContact(o);
        o.s(EVENT_REG);
        this.writeExpires(o);
        o.s(ACCEPT_REGINFO);
        break;
      case Shape.SubscribeResponse:
        if (this.contactNode >= 0) this.writeContact(o);
        this.writeExpires(o);
        break;
      case Shape.Notify:
        this.writeContact(o);
        o.s(EVENT_REG);
        at = from(o);
        this.writeSubscriptionState(o);
        this.cite(o, RULE.notifyState, at); // 24.229:5.4.2.1.2/notify-state
        o.s(CONTENT_TYPE_REGINFO);
        break;
      case Shape.Invite:
      case Shape.InviteResponse:
        if (this.contactNode >= 0) this.writeContact(o);
        if (this.body !== Body.None) o.s(CONTENT_TYPE_SDP);
        break;
      case Shape.Overload:
        this.writeRetryAfter(o);
        break;
      case Shape.TooBrief:
        this.writeMinExpires(o);
        break;
      case Shape.Ack:
      case Shape.Bye:
      case Shape.Plain:
        break;
    }
  }

  /** The exact size: writeHead()'s lines, then Content-Length, the blank line and the body. */
  computeLength(): number {
    const ctx = this.ctx;
    let n = this.startLineLength();
    for (let v = this.via; v !== null; v = v.next) n += viaLength(ctx, v);
    if (this.status === 0) {
      n += this.maxForwardsLength();
      if (this.routeNode >= 0) n += routeLength(ctx, this.routeNode, this.routeOrig);
    }
    if (this.recordRoute >= 0) n += recordRouteLength(ctx, this.recordRoute);
    n += this.fromLength() + this.toLength() + this.callIdLength() + this.cseqLength();
    if (this.assertedIdentity) n += this.assertedIdentityLength();
    switch (this.shape) {
      case Shape.Register:
        n += this.bindingContactLineLength() + this.expiresLength();
        if (this.authDone) n += this.authorizationLength();
        n += SUPPORTED_PATH.length;
        break;
      case Shape.RegisterResponse:
        if (this.contactNode >= 0) n += this.bindingContactLineLength();
        if (this.associatedUris) n += this.associatedUrisLength();
        if (this.serviceRoute >= 0) n += serviceRouteLength(ctx, this.serviceRoute);
        break;
      case Shape.Subscribe:
        n += this.contactLength() + EVENT_REG.length + this.expiresLength() + ACCEPT_REGINFO.length;
        break;
      case Shape.SubscribeResponse:
        if (this.contactNode >= 0) n += this.contactLength();
        n += this.expiresLength();
        break;
      case Shape.Notify:
        n += this.contactLength() + EVENT_REG.length + this.subscriptionStateLength() + CONTENT_TYPE_REGINFO.length;
        break;
      case Shape.Invite:
      case Shape.InviteResponse:
        if (this.contactNode >= 0) n += this.contactLength();
        if (this.body !== Body.None) n += CONTENT_TYPE_SDP.length;
        break;
      case Shape.Overload:
        n += this.retryAfterLength();
        break;
      case Shape.TooBrief:
        n += this.minExpiresLength();
        break;
    }
    const body = this.bodyLength();
    return n + contentLengthLength(body) + body;
  }

  // Start line: Request-Line (RFC 3261 §7.1) or Status-Line (§7.2).

  private writeStartLine(o: TextSink): void {
    if (this.status === 0) {
      o.s(this.method);
      o.s(' ');
      this.writeRuri(o);
      o.s(' SIP/2.0\r\n');
    } else {
      o.s('SIP/2.0 ');
      o.dec(this.status);
      o.s(' ');
      o.s(this.reason);
      o.s('\r\n');
    }
  }

  private startLineLength(): number {
    if (this.status === 0) return this.method.length + 1 + this.ruriLength() + ' SIP/2.0\r\n'.length;
    return 'SIP/2.0 '.length + decimalLength(this.status) + 1 + this.reason.length + 2;
  }

  // Request-URI.

  private writeRuri(o: TextSink): void {
    const ids = this.ctx.ids;
    switch (this.ruri) {
      case Ruri.Home:
        o.s(ids.homeDomainUri);
        break;
      case Ruri.Public:
        ids.writePublicId(o, this.sub, this.ruriK);
        break;
      case Ruri.Node: {
        // A real peer's own Contact for the node it plays (emulation only), e.g. the NOTIFY to a sip.js UA.
        const fc = this.ctx.foreign === undefined ? undefined : this.ctx.foreign.contact(this.ruriNode);
        if (fc !== undefined) {
          o.s(fc);
          break;
        }
        o.s('sip:');
        o.s(this.ctx.host(this.ruriNode));
        o.s(':5060');
        break;
      }
      case Ruri.Far:
        this.writeFar(o);
        break;
    }
  }

  private ruriLength(): number {
    switch (this.ruri) {
      case Ruri.Home:
        return this.ctx.len.homeUri;
      case Ruri.Public:
        return this.ctx.len.pub[this.ruriK];
      case Ruri.Node: {
        const fc = this.ctx.foreign === undefined ? undefined : this.ctx.foreign.contact(this.ruriNode);
        return fc !== undefined ? fc.length : 'sip:'.length + this.ctx.hostLen(this.ruriNode) + ':5060'.length;
      }
      case Ruri.Far:
        return this.ctx.len.far;
    }
  }

  /** The far end's tel-style SIP URI (its length is ctx.len.far). */
  private writeFar(o: TextSink): void {
    const p = this.ctx.cfgPeers;
    o.s('sip:+');
    o.dec(p.numberBase + this.sub, p.numberDigits);
    o.s('@');
    o.s(p.domain);
    o.s(';user=phone');
  }

  // Max-Forwards (RFC 3261 §8.1.1.6).

  private writeMaxForwards(o: TextSink): void {
    o.s('Max-Forwards: ');
    o.dec(this.maxForwards);
    o.s('\r\n');
  }

  private maxForwardsLength(): number {
    return 'Max-Forwards: '.length + decimalLength(this.maxForwards) + 2;
  }

  // From and To (RFC 3261 §8.1.1.2, §8.1.1.3): a public identity or the far end, and a tag.

  private writeFrom(o: TextSink): void {
    o.s('From: ');
    this.writeParty(o, this.fromParty, this.fromK, this.fromTag);
    o.s('\r\n');
  }

  private fromLength(): number {
    return 'From: '.length + this.partyLength(this.fromParty, this.fromK, this.fromTag) + 2;
  }

  private writeTo(o: TextSink): void {
    o.s('To: ');
    this.writeParty(o, this.toParty, this.toK, this.toTag);
    o.s('\r\n');
  }

  private toLength(): number {
    return 'To: '.length + this.partyLength(this.toParty, this.toK, this.toTag) + 2;
  }

  private writeParty(o: TextSink, party: Party, k: number, tag: number): void {
    o.s('<');
    // A real peer's own URI in its dialog (emulation only), found by its tag; else the model's party.
    const fu = this.ctx.foreign === undefined || tag === 0 ? undefined : this.ctx.foreign.partyUri(tag);
    if (fu !== undefined) o.s(fu);
    else if (party === Party.Public) this.ctx.ids.writePublicId(o, this.sub, k);
    else this.writeFar(o);
    o.s('>');
    if (tag !== 0) {
      o.s(';tag=');
      // A real peer's tag (emulation only: ctx.foreign is undefined in simulation), else the model's.
      const f = this.ctx.foreign === undefined ? undefined : this.ctx.foreign.tag(tag);
      if (f !== undefined) o.s(f);
      else o.hex(tag, 8);
    }
  }

  private partyLength(party: Party, k: number, tag: number): number {
    let t = 0;
    if (tag !== 0) {
      const f = this.ctx.foreign === undefined ? undefined : this.ctx.foreign.tag(tag);
      t = ';tag='.length + (f !== undefined ? f.length : hexWidth(tag, 8));
      const fu = this.ctx.foreign === undefined ? undefined : this.ctx.foreign.partyUri(tag);
      if (fu !== undefined) return 2 + fu.length + t;
    }
    return 2 + (party === Party.Public ? this.ctx.len.pub[k] : this.ctx.len.far) + t;
  }

  // Call-ID (RFC 3261 §8.1.1.4): reg-|sub-|call<slot>- <token> - <subscriber> @ <host>.

  private writeCallId(o: TextSink): void {
    o.s('Call-ID: ');
    const f = this.ctx.foreign === undefined ? undefined : this.ctx.foreign.callId(this.callToken);
    if (f !== undefined) {
      o.s(f); // a real peer's Call-ID (emulation), verbatim
      o.s('\r\n');
      return;
    }
    o.s(this.callKind === CallKind.Registration ? 'reg-' : this.callKind === CallKind.Subscription ? 'sub-' : 'call');
    if (this.callKind >= CallKind.Call) {
      o.dec(this.callKind - CallKind.Call);
      o.s('-');
    }
    o.hex(this.callToken, 8);
    o.s('-');
    o.hex(this.sub, 6);
    o.s('@');
    o.s(this.ctx.host(this.callHost));
    o.s('\r\n');
  }

  private callIdLength(): number {
    const f = this.ctx.foreign === undefined ? undefined : this.ctx.foreign.callId(this.callToken);
    if (f !== undefined) return 'Call-ID: '.length + f.length + 2;
    const prefix = this.callKind >= CallKind.Call ? 'call'.length + decimalLength(this.callKind - CallKind.Call) + 1 : 'reg-'.length;
    return 'Call-ID: '.length + prefix + 8 + 1 + hexWidth(this.sub, 6) + 1 + this.ctx.hostLen(this.callHost) + 2;
  }

  // CSeq (RFC 3261 §8.1.1.5).

  private writeCSeq(o: TextSink): void {
    o.s('CSeq: ');
    o.dec(this.cseq);
    o.s(' ');
    o.s(this.method);
    o.s('\r\n');
  }

  private cseqLength(): number {
    return 'CSeq: '.length + decimalLength(this.cseq) + 1 + this.method.length + 2;
  }

  // P-Asserted-Identity (RFC 3325 §9.1): the asserted public identity, the one From names.

  private writeAssertedIdentity(o: TextSink): void {
    o.s('P-Asserted-Identity: <');
    this.ctx.ids.writePublicId(o, this.sub, this.fromK);
    o.s('>\r\n');
  }

  private assertedIdentityLength(): number {
    return 'P-Asserted-Identity: <'.length + this.ctx.len.pub[this.fromK] + '>\r\n'.length;
  }

  // Contact: the node's address; on registrations the binding (expires, +sip.instance, ICS tags).

  private writeContact(o: TextSink): void {
    o.s('Contact: ');
    this.writeContactUri(o, this.contactNode);
    o.s('\r\n');
  }

  private contactLength(): number {
    return 'Contact: '.length + this.contactUriLength(this.contactNode) + 2;
  }

  private writeContactUri(o: TextSink, node: number): void {
    const fc = this.ctx.foreign === undefined ? undefined : this.ctx.foreign.contact(node);
    if (fc !== undefined) {
      o.s('<');
      o.s(fc);
      o.s('>');
      return;
    }
    o.s('<sip:');
    o.s(this.ctx.host(node));
    o.s(':5060>');
  }

  private contactUriLength(node: number): number {
    const fc = this.ctx.foreign === undefined ? undefined : this.ctx.foreign.contact(node);
    if (fc !== undefined) return fc.length + 2;
    return '<sip:'.length + this.ctx.hostLen(node) + ':5060>'.length;
  }

  private writeBindingContactLine(o: TextSink): void {
    o.s('Contact: ');
    this.writeBindingContact(o);
    o.s('\r\n');
  }

  private bindingContactLineLength(): number {
    return 'Contact: '.length + this.bindingContactLength() + 2;
  }

  /** The Contact of a registration: address, expires, +sip.instance, feature tags. */
  private writeBindingContact(o: TextSink): void {
    this.writeContactUri(o, this.contactNode);
    if (this.contactExpires >= 0) {
      const at = ImsSip.from(o);
      o.s(';expires=');
      o.dec(this.contactExpires);
      if (this.contactExpires === 0) this.cite(o, RULE.s6, at); // 24.292:6.3.6.2/6: the Contact's expires=0
    }
    if (this.contactInstance >= 0) {
      o.s(';+sip.instance="<');
      this.ctx.ids.writeInstanceUrn(o, this.contactInstance);
      o.s('>"');
    }
    if (this.contactIcs) o.s(ICS_TAGS);
  }

  private bindingContactLength(): number {
    let n = this.contactUriLength(this.contactNode);
    if (this.contactExpires >= 0) n += ';expires='.length + decimalLength(this.contactExpires);
    if (this.contactInstance >= 0) n += ';+sip.instance="<'.length + this.ctx.len.instanceUrn + '>"'.length;
    if (this.contactIcs) n += ICS_TAGS.length;
    return n;
  }

  // Expires (RFC 3261 §20.19), when set.

  private writeExpires(o: TextSink): void {
    if (this.expires >= 0) {
      o.s('Expires: ');
      o.dec(this.expires);
      o.s('\r\n');
    }
  }

  private expiresLength(): number {
    return this.expires >= 0 ? 'Expires: '.length + decimalLength(this.expires) + 2 : 0;
  }

  // Authorization with integrity-protected="auth-done" and P-Visited-Network-ID (TS 24.229 §5.4.1.2.2).

  private writeAuthorization(o: TextSink): void {
    const ids = this.ctx.ids;
    o.s('Authorization: Digest username="');
    ids.writePrivateId(o, this.sub);
    o.s('", realm="');
    o.s(ids.homeDomain);
    o.s('", uri="');
    o.s(ids.homeDomainUri);
    o.s('", nonce="", response="", integrity-protected="auth-done"\r\nP-Visited-Network-ID: "');
    o.s(ids.networkDomain);
    o.s('"\r\n');
  }

  private authorizationLength(): number {
    const L = this.ctx.len;
    return (
      'Authorization: Digest username="'.length + L.privateId + '", realm="'.length + L.homeDomain + '", uri="'.length + L.homeUri +
      '", nonce="", response="", integrity-protected="auth-done"\r\nP-Visited-Network-ID: "'.length + L.networkDomain + '"\r\n'.length
    );
  }

  // P-Associated-URI (RFC 7315 §4.1): the implicit registration set.

  private writeAssociatedUris(o: TextSink): void {
    const ids = this.ctx.ids;
    o.s('P-Associated-URI: ');
    for (let k = 0; k < ids.implicitSet; k++) {
      if (k > 0) o.s(', ');
      o.s('<');
      ids.writePublicId(o, this.sub, k);
      o.s('>');
    }
    o.s('\r\n');
  }

  private associatedUrisLength(): number {
    return 'P-Associated-URI: '.length + this.ctx.len.associated + 2;
  }

  // Subscription-State (RFC 6665 §8.2.3).

  private writeSubscriptionState(o: TextSink): void {
    o.s('Subscription-State: ');
    if (this.subTerminated) o.s('terminated');
    else {
      o.s('active;expires=');
      o.dec(this.subExpires);
    }
    o.s('\r\n');
  }

  private subscriptionStateLength(): number {
    return 'Subscription-State: '.length + (this.subTerminated ? 'terminated'.length : 'active;expires='.length + decimalLength(this.subExpires)) + 2;
  }

  // Retry-After (RFC 3261 §20.33) of an overload answer.

  private writeRetryAfter(o: TextSink): void {
    o.s('Retry-After: ');
    o.dec(this.expires);
    o.s('\r\n');
  }

  private retryAfterLength(): number {
    return 'Retry-After: '.length + decimalLength(this.expires) + 2;
  }

  // Min-Expires (RFC 3261 §20.23) of a 423 Interval Too Brief.

  private writeMinExpires(o: TextSink): void {
    o.s('Min-Expires: ');
    o.dec(this.expires);
    o.s('\r\n');
  }

  private minExpiresLength(): number {
    return 'Min-Expires: '.length + decimalLength(this.expires) + 2;
  }

  // The body: reginfo (NOTIFY) or SDP (INVITE and its 200).

  private writeBody(o: TextSink): void {
    switch (this.body) {
      case Body.None:
        return;
      case Body.RegInfo:
        this.writeRegInfo(o);
        return;
      case Body.SdpOffer:
      case Body.SdpAnswer:
        this.writeSdp(o);
        return;
    }
  }

  private bodyLength(): number {
    switch (this.body) {
      case Body.None:
        return 0;
      case Body.RegInfo:
        return this.regInfoLength();
      case Body.SdpOffer:
      case Body.SdpAnswer:
        return this.sdpLength();
    }
  }

  /**
   * RFC 3680 reginfo, full state, one <registration> per identity of the implicit set (TS 24.229
   * §5.4.2.1.2: the S-CSCF reports every identity of the set). On deregistration every registration
   * is terminated and its contact terminated with event "unregistered" (REFERENCE §2).
   */
  private writeRegInfo(o: TextSink): void {
    const ids = this.ctx.ids;
    o.s('<?xml version="1.0"?>\r\n<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="');
    o.dec(this.regVersion);
    o.s('" state="full">\r\n');
    for (let k = 0; k < ids.implicitSet; k++) {
      o.s(' <registration aor="');
      ids.writePublicId(o, this.sub, k);
      o.s('" id="a');
      o.hex(this.sub, 6);
      o.s('-');
      o.dec(k);
      o.s(this.regTerminated ? '" state="terminated">\r\n' : '" state="active">\r\n');
      o.s('  <contact id="c');
      o.hex(this.bindToken, 8);
      o.s(this.regTerminated ? '" state="terminated" event="' : '" state="active" event="');
      o.s(CONTACT_EVENTS[this.contactEvent]);
      if (this.contactExpires >= 0) {
        o.s('" expires="');
        o.dec(this.contactExpires);
      }
      o.s('">\r\n   <uri>sip:');
      o.s(this.ctx.host(this.regContact));
      o.s(':5060</uri>\r\n');
      if (this.contactInstance >= 0) {
        o.s('   <unknown-param name="+sip.instance">"&lt;');
        ids.writeInstanceUrn(o, this.contactInstance);
        o.s('&gt;"</unknown-param>\r\n');
      }
      o.s('  </contact>\r\n </registration>\r\n');
    }
    o.s('</reginfo>\r\n');
  }

  private regInfoLength(): number {
    const ctx = this.ctx;
    const pub = ctx.len.pub;
    const term = this.regTerminated;
    let n = '<?xml version="1.0"?>\r\n<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="'.length + decimalLength(this.regVersion) + '" state="full">\r\n'.length;
    const per =
      ' <registration aor="'.length + '" id="a'.length + hexWidth(this.sub, 6) + '-'.length +
      (term ? '" state="terminated">\r\n'.length : '" state="active">\r\n'.length) +
      '  <contact id="c'.length + 8 + (term ? '" state="terminated" event="'.length : '" state="active" event="'.length) + CONTACT_EVENTS[this.contactEvent].length +
      (this.contactExpires >= 0 ? '" expires="'.length + decimalLength(this.contactExpires) : 0) +
      '">\r\n   <uri>sip:'.length + ctx.hostLen(this.regContact) + ':5060</uri>\r\n'.length +
      (this.contactInstance >= 0 ? '   <unknown-param name="+sip.instance">"&lt;'.length + ctx.len.instanceUrn + '&gt;"</unknown-param>\r\n'.length : 0) +
      '  </contact>\r\n </registration>\r\n'.length;
    for (let k = 0; k < pub.length; k++) n += per + pub[k] + decimalLength(k);
    return n + '</reginfo>\r\n'.length;
  }

  /** A minimal AMR-WB audio session description (RFC 4566), offer from the MSC, answer from the far end. */
  private writeSdp(o: TextSink): void {
    const node = this.contactNode;
    const host = this.ctx.host(node);
    o.s('v=0\r\no=- ');
    o.dec(this.callToken);
    o.s(this.body === Body.SdpOffer ? ' 1 IN IP4 ' : ' 2 IN IP4 ');
    o.s(host);
    o.s('\r\ns=-\r\nc=IN IP4 ');
    o.s(host);
    o.s('\r\nt=0 0\r\nm=audio ');
    o.dec(20000 + 2 * ((this.sub + this.callKind) % 10000));
    o.s(SDP_MEDIA);
  }

  private sdpLength(): number {
    const h = this.ctx.hostLen(this.contactNode);
    return (
      'v=0\r\no=- '.length + decimalLength(this.callToken) + ' 1 IN IP4 '.length + h + '\r\ns=-\r\nc=IN IP4 '.length + h + '\r\nt=0 0\r\nm=audio '.length +
      decimalLength(20000 + 2 * ((this.sub + this.callKind) % 10000)) + SDP_MEDIA.length
    );
  }
}

// Headers that name a node (Via, Route, Record-Route, Service-Route): free functions, writer beside length.

/** 'Via: SIP/2.0/UDP <host>:5060;branch=z9hG4bK<node><id>' CRLF (TCP: the same length). */
function writeVia(o: TextSink, ctx: ImsContext, v: Via): void {
  if (v.raw !== undefined) {
    o.s('Via: ');
    o.s(v.raw);
    o.s('\r\n');
    return;
  }
  o.s(v.tcp ? 'Via: SIP/2.0/TCP ' : 'Via: SIP/2.0/UDP ');
  o.s(ctx.host(v.node));
  o.s(':5060;branch=');
  writeBranch(o, v);
  o.s('\r\n');
}

function viaLength(ctx: ImsContext, v: Via): number {
  if (v.raw !== undefined) return 'Via: '.length + v.raw.length + 2;
  return 'Via: SIP/2.0/UDP '.length + ctx.hostLen(v.node) + ':5060;branch=z9hG4bK'.length + hexWidth(v.node, 2) + hexWidth(v.branch, 8) + 2;
}

function writeBranch(o: TextSink, v: Via): void {
  if (v.rawBranch !== undefined) {
    o.s(v.rawBranch);
    return;
  }
  o.s('z9hG4bK');
  o.hex(v.node, 2);
  o.hex(v.branch, 8);
}

/** 'Route: <sip:[orig@]<host>:5060;lr>' CRLF. */
function writeRoute(o: TextSink, ctx: ImsContext, node: number, orig: boolean): void {
  o.s(orig ? 'Route: <sip:orig@' : 'Route: <sip:');
  o.s(ctx.host(node));
  o.s(':5060;lr>\r\n');
}

function routeLength(ctx: ImsContext, node: number, orig: boolean): number {
  return (orig ? 'Route: <sip:orig@'.length : 'Route: <sip:'.length) + ctx.hostLen(node) + ':5060;lr>\r\n'.length;
}

/** 'Record-Route: <sip:<host>:5060;lr>' CRLF. */
function writeRecordRoute(o: TextSink, ctx: ImsContext, node: number): void {
  o.s('Record-Route: <sip:');
  o.s(ctx.host(node));
  o.s(':5060;lr>\r\n');
}

function recordRouteLength(ctx: ImsContext, node: number): number {
  return 'Record-Route: <sip:'.length + ctx.hostLen(node) + ':5060;lr>\r\n'.length;
}

/** 'Service-Route: <sip:orig@<host>:5060;lr>' CRLF (RFC 3608). */
function writeServiceRoute(o: TextSink, ctx: ImsContext, node: number): void {
  o.s('Service-Route: <sip:orig@');
  o.s(ctx.host(node));
  o.s(':5060;lr>\r\n');
}

function serviceRouteLength(ctx: ImsContext, node: number): number {
  return 'Service-Route: <sip:orig@'.length + ctx.hostLen(node) + ':5060;lr>\r\n'.length;
}

/** 'Content-Length: <n>' CRLF CRLF: always last (RFC 3261 §20.14), written by wire() and renderedLength(). */
function contentLengthLength(body: number): number {
  return 'Content-Length: '.length + decimalLength(body) + 4;
}

// Header lines without variable parts.
const SUPPORTED_PATH = 'Supported: path\r\n';
const EVENT_REG = 'Event: reg\r\n';
const ACCEPT_REGINFO = 'Accept: application/reginfo+xml\r\n';
const CONTENT_TYPE_REGINFO = 'Content-Type: application/reginfo+xml\r\n';
const CONTENT_TYPE_SDP = 'Content-Type: application/sdp\r\n';
const SDP_MEDIA =
  ' RTP/AVP 97 100\r\na=rtpmap:97 AMR-WB/16000/1\r\na=fmtp:97 mode-change-capability=2;max-red=0\r\n' +
  'a=rtpmap:100 telephone-event/16000\r\na=ptime:20\r\na=maxptime:240\r\na=sendrecv\r\n';

function decimalLength(x: number): number {
  return x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : x < 100000 ? 5 : x < 1000000 ? 6 : decDigits(x);
}

/** Digits of x in hex, at least `width` (what TextSink.hex writes). Small enough to be inlined everywhere. */
function hexWidth(x: number, width: number): number {
  const d = (35 - Math.clz32(x >>> 0)) >> 2 || 1; // significant bits, rounded up to whole hex digits (0 → 1)
  return d > width ? d : width;
}

/**
 * Cross-check every message's computed length against its rendering: on in every test run
 * (test/run.mjs sets REGLAB_TEST=1), off otherwise (the renderer costs what the arithmetic saves).
 */
const CHECK_BYTES = typeof process !== 'undefined' && process.env?.REGLAB_TEST === '1';
