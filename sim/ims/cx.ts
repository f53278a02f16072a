import { LANE_B, LANE_C, LANE_D, digestJoin, digestWord, digestWords } from '../net/digest.ts';
import type { Message } from '../net/message.ts';
import type { ImsContext } from './context.ts';
import { LengthSink, StringSink, type TextSink } from './text-sink.ts';
import type { WireMark } from '../observe/records.ts';
import { RULE } from './rule-ids.ts';
import { timeHigh, timeLow } from '../kernel/time.ts';

/**
 * The Cx interface (TS 29.228 procedures, TS 29.229 encoding; REFERENCE §2 [V]) between the
 * I-/S-CSCF and the HSS, as real Diameter (RFC 6733) messages:
 *
 *   UAR/UAA  User-Authorization       command code 300   (I-CSCF → HSS: which S-CSCF?)
 *   SAR/SAA  Server-Assignment        command code 301   (S-CSCF → HSS: (de)assign me)
 *   RTR/RTA  Registration-Termination command code 304   (HSS → S-CSCF: deregister)
 *
 * Application-Id 16777216 (3GPP Cx), vendor 10415 (3GPP), every message proxiable (P bit).
 *
 * `bytes` is the EXACT length of the Diameter encoding — a 20-byte header, then AVPs each with an
 * 8-byte header (12 with the Vendor-Id) and data padded to a multiple of 4 — computed by the same
 * AVP description that `encode()` turns into bytes and `wire()` into a readable AVP dump, so the
 * three can never disagree (test/ims/cx.test.ts checks them, and tshark dissects the encoding).
 */

export const CX_APPLICATION_ID = 16777216;
export const VENDOR_3GPP = 10415;

export const enum CxCommand {
  UserAuthorization = 300,
  ServerAssignment = 301,
  RegistrationTermination = 304,
}

/** User-Authorization-Type (TS 29.229 §6.3.24). */
export const enum UserAuthorizationType {
  Registration = 0,
  DeRegistration = 1,
  RegistrationAndCapabilities = 2,
}
export const USER_AUTHORIZATION_TYPE_NAMES = ['REGISTRATION', 'DE_REGISTRATION', 'REGISTRATION_AND_CAPABILITIES'];

/** Server-Assignment-Type (TS 29.229 §6.3.15). */
export const enum ServerAssignmentType {
  NoAssignment = 0,
  Registration = 1,
  ReRegistration = 2,
  UnregisteredUser = 3,
  TimeoutDeregistration = 4,
  UserDeregistration = 5,
  TimeoutDeregistrationStoreServerName = 6,
  UserDeregistrationStoreServerName = 7,
  AdministrativeDeregistration = 8,
}
export const SERVER_ASSIGNMENT_TYPE_NAMES = [
  'NO_ASSIGNMENT',
  'REGISTRATION',
  'RE_REGISTRATION',
  'UNREGISTERED_USER',
  'TIMEOUT_DEREGISTRATION',
  'USER_DEREGISTRATION',
  'TIMEOUT_DEREGISTRATION_STORE_SERVER_NAME',
  'USER_DEREGISTRATION_STORE_SERVER_NAME',
  'ADMINISTRATIVE_DEREGISTRATION',
];

/** Reason-Code of Deregistration-Reason (TS 29.229 §6.3.17). */
export const enum DeregistrationReasonCode {
  PermanentTermination = 0,
  NewServerAssigned = 1,
  ServerChange = 2,
  RemoveScscf = 3,
}
export const REASON_CODE_NAMES = ['PERMANENT_TERMINATION', 'NEW_SERVER_ASSIGNED', 'SERVER_CHANGE', 'REMOVE_S-CSCF'];

/** Result codes (RFC 6733 Result-Code; TS 29.229 §6.2 in Experimental-Result with vendor 10415). */
export const DIAMETER_SUCCESS = 2001;
export const DIAMETER_UNABLE_TO_COMPLY = 5012;
export const DIAMETER_TOO_BUSY = 3004;
export const EXP_FIRST_REGISTRATION = 2001;
export const EXP_SUBSEQUENT_REGISTRATION = 2002;
export const EXP_SERVER_NAME_NOT_STORED = 2004;
export const EXP_ERROR_USER_UNKNOWN = 5001;
export const EXP_ERROR_IDENTITIES_DONT_MATCH = 5002;
export const EXP_ERROR_IDENTITY_NOT_REGISTERED = 5003;
export const EXP_ERROR_ROAMING_NOT_ALLOWED = 5004;

const RESULT_NAMES: Record<string, string> = {
  'r2001': 'DIAMETER_SUCCESS',
  'r5012': 'DIAMETER_UNABLE_TO_COMPLY',
  'r3004': 'DIAMETER_TOO_BUSY',
  'e2001': 'DIAMETER_FIRST_REGISTRATION',
  'e2002': 'DIAMETER_SUBSEQUENT_REGISTRATION',
  'e2004': 'DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED',
  'e5001': 'DIAMETER_ERROR_USER_UNKNOWN',
  'e5002': 'DIAMETER_ERROR_IDENTITIES_DONT_MATCH',
  'e5003': 'DIAMETER_ERROR_IDENTITY_NOT_REGISTERED',
  'e5004': 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED',
};

// AVP codes (RFC 6733, TS 29.229 §6.3).
const AVP = {
  UserName: 1,
  AuthApplicationId: 258,
  VendorSpecificApplicationId: 260,
  SessionId: 263,
  OriginHost: 264,
  VendorId: 266,
  ResultCode: 268,
  AuthSessionState: 277,
  DestinationRealm: 283,
  DestinationHost: 293,
  OriginRealm: 296,
  ExperimentalResult: 297,
  ExperimentalResultCode: 298,
  // 3GPP (vendor 10415)
  VisitedNetworkIdentifier: 600,
  PublicIdentity: 601,
  ServerName: 602,
  ServerCapabilities: 603,
  MandatoryCapability: 604,
  OptionalCapability: 605,
  UserData: 606,
  ServerAssignmentType: 614,
  DeregistrationReason: 615,
  ReasonCode: 616,
  ReasonInfo: 617,
  UserAuthorizationType: 623,
  UserDataAlreadyAvailable: 624,
} as const;

const AVP_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(AVP).map(([k, v]) => [v, k.replace(/([a-z])([A-Z])/g, '$1-$2').replace('Scscf', 'S-CSCF')]),
);

/**
 * What an AVP description is written to: a length counter, a binary encoder, or a text dump.
 * `vendor` true = the V bit and the 3GPP Vendor-Id (12-byte header). Every AVP here has the M bit.
 */
export interface AvpSink {
  text(code: number, vendor: boolean, value: (o: TextSink) => void): void;
  u32(code: number, vendor: boolean, value: number, names?: readonly string[] | Record<number, string>): void;
  grouped(code: number, vendor: boolean, inner: (a: AvpSink) => void): void;
  /** Dumps only: the AVP just written realises `rule` (the dashboard lights its line). */
  cite?(rule: string): void;
}

const textLength = new LengthSink();

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Adds up the encoded length (header + padded data) of each AVP. */
export class AvpLength implements AvpSink {
  len = 0;
  text(_code: number, vendor: boolean, value: (o: TextSink) => void): void {
    textLength.len = 0;
    value(textLength);
    this.len += (vendor ? 12 : 8) + pad4(textLength.len);
  }
  u32(_code: number, vendor: boolean): void {
    this.len += (vendor ? 12 : 8) + 4;
  }
  grouped(_code: number, vendor: boolean, inner: (a: AvpSink) => void): void {
    const g = new AvpLength();
    inner(g);
    this.len += (vendor ? 12 : 8) + g.len;
  }
}

/**
 * Encodes AVPs into bytes (RFC 6733 §4.1), in one buffer: each AVP's header is written first and
 * its length patched in once its data (a grouped AVP's members) is written — no buffer per AVP.
 * `at` leaves room for the message header in front.
 */
export class AvpEncoder implements AvpSink {
  buf: Buffer;
  len: number;
  private readonly sink: TextSink;
  constructor(size = 256, at = 0) {
    this.buf = Buffer.allocUnsafe(Math.max(size, at + 16));
    this.len = at;
    const self = this;
    this.sink = {
      s(x: string): void {
        self.room(3 * x.length);
        const b = self.buf;
        const at = self.len;
        // Short ASCII pieces (most of them: names, digits, XML tags) byte by byte; a call into
        // Buffer.write costs more than copying them.
        if (x.length <= 32) {
          let i = 0;
          for (; i < x.length; i++) {
            const c = x.charCodeAt(i);
            if (c >= 0x80) break;
            b[at + i] = c;
          }
          if (i === x.length) {
            self.len = at + i;
            return;
          }
        }
        self.len = at + b.write(x, at, 'utf8');
      },
      dec(x: number, width = 1): void {
        this.s(String(x).padStart(width, '0'));
      },
      hex(x: number, width = 1): void {
        this.s((x >>> 0).toString(16).padStart(width, '0'));
      },
    };
  }
  text(code: number, vendor: boolean, value: (o: TextSink) => void): void {
    const at = this.header(code, vendor);
    value(this.sink);
    this.end(at);
  }
  u32(code: number, vendor: boolean, value: number): void {
    const at = this.header(code, vendor);
    this.room(4);
    this.buf.writeUInt32BE(value >>> 0, this.len);
    this.len += 4;
    this.end(at);
  }
  grouped(code: number, vendor: boolean, inner: (a: AvpSink) => void): void {
    const at = this.header(code, vendor);
    inner(this);
    this.end(at);
  }
  /** The bytes written (a view of the buffer). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.len + n));
    this.buf.copy(b, 0, 0, this.len);
    this.buf = b;
  }
  private header(code: number, vendor: boolean): number {
    const at = this.len;
    this.room(12);
    this.buf.writeUInt32BE(code, at);
    this.buf[at + 4] = (vendor ? 0x80 : 0) | 0x40; // flags; the 24-bit length follows in end()
    if (vendor) this.buf.writeUInt32BE(VENDOR_3GPP, at + 8);
    this.len += vendor ? 12 : 8;
    return at;
  }
  private end(at: number): void {
    const len = this.len - at;
    this.buf.writeUIntBE(len, at + 5, 3);
    const pad = pad4(len) - len;
    this.room(pad);
    this.buf.fill(0, this.len, this.len + pad);
    this.len += pad;
  }
}

/** A readable AVP dump, one AVP per line, indented for grouped ones. */
export class AvpDump implements AvpSink {
  readonly lines: string[] = [];
  /** Lines (indices into `lines`) that realise a rule, from cite(). */
  readonly cites: { rule: string; line: number }[] = [];
  cite(rule: string): void {
    this.cites.push({ rule, line: this.lines.length - 1 });
  }
  constructor(private readonly indent = '  ') {}
  text(code: number, vendor: boolean, value: (o: TextSink) => void): void {
    const s = new StringSink();
    value(s);
    const v = s.out.length > 120 ? `${JSON.stringify(s.out.slice(0, 117))}… (${s.out.length} bytes)` : JSON.stringify(s.out);
    this.lines.push(`${this.indent}${name(code)} (${code}${vendor ? ', V 10415' : ''}, M): ${v}`);
  }
  u32(code: number, vendor: boolean, value: number, names?: readonly string[] | Record<number, string>): void {
    const n = names ? (names as Record<number, string>)[value] : undefined;
    this.lines.push(`${this.indent}${name(code)} (${code}${vendor ? ', V 10415' : ''}, M): ${value}${n ? ` ${n}` : ''}`);
  }
  grouped(code: number, vendor: boolean, inner: (a: AvpSink) => void): void {
    this.lines.push(`${this.indent}${name(code)} (${code}${vendor ? ', V 10415' : ''}, M):`);
    const g = new AvpDump(this.indent + '  ');
    inner(g);
    this.lines.push(...g.lines);
  }
}

function name(code: number): string {
  return AVP_NAMES[code] ?? `AVP ${code}`;
}

const COMMAND_NAMES: Record<number, [string, string]> = {
  300: ['User-Authorization-Request', 'User-Authorization-Answer'],
  301: ['Server-Assignment-Request', 'Server-Assignment-Answer'],
  304: ['Registration-Termination-Request', 'Registration-Termination-Answer'],
};
const KINDS: Record<number, [string, string]> = { 300: ['UAR', 'UAA'], 301: ['SAR', 'SAA'], 304: ['RTR', 'RTA'] };

/**
 * One Cx message. Requests carry the request fields; answers copy the request's Session-Id,
 * hop-by-hop and end-to-end identifiers (RFC 6733 §6.2) and add their result.
 */
export class CxMessage implements Message {
  get proto(): string {
    return 'cx';
  }
  get entries(): number {
    return 1;
  }
  readonly kind: string;
  bytes = 0;
  procedure: string | undefined = undefined;
  rules: readonly string[] | undefined = undefined;
  // The send time as two small integers: a number field holding ns would be a boxed double, one
  // more allocation per message.
  private sentHi = -1;
  private sentLo = 0;
  /** When the sender put it on the wire (ns; -1 before). */
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

  /** Session-Id: <origin fqdn>;<hi>;<lo> (RFC 6733 §8.8). */
  sessionNode = -1;
  sessionHi = 0;
  sessionLo = 0;
  hopByHop = 0;
  endToEnd = 0;
  /** The node that sends this message (Origin-Host) and the one it goes to (Destination-Host; -1 none). */
  origin = -1;
  destination = -1;

  // requests
  authType = -1;
  assignmentType = -1;
  reasonCode = -1;
  /** SAR: the S-CSCF's SIP URI, as Server-Name. */
  serverName = -1;

  // answers
  resultCode = -1;
  experimentalCode = -1;
  /** UAA for a first registration: Server-Capabilities instead of a Server-Name. */
  capabilities = false;
  /** SAA to a REGISTRATION: the user profile (User-Data). */
  userData = false;

  constructor(
    readonly ctx: ImsContext,
    readonly sub: number,
    readonly command: CxCommand,
    readonly request: boolean,
  ) {
    this.kind = KINDS[command][request ? 0 : 1];
  }

  seal(procedure: string | undefined, rules: readonly string[] | undefined): this {
    this.procedure = procedure;
    this.rules = rules;
    this.bytes = this.computeLength();
    if (CHECK_BYTES) {
      const slow = this.encodedLength();
      if (slow !== this.bytes) throw new Error(`Cx ${this.kind}: computed ${this.bytes} bytes, the AVP description gives ${slow}`);
    }
    return this;
  }

  /**
   * The content digest for the trace hash (Message.digest()): every field writeAvps() and the
   * header read, from the run's salt (ImsContext.digestSalt). Arithmetic, never an encoding.
   */
  digest(): number {
    // Four lanes joined at the end, as ImsSip.digest() (sim/net/digest.ts digestJoin).
    const flags = (this.capabilities ? 1 : 0) | (this.userData ? 2 : 0);
    return digestJoin(
      digestWords(digestWord(this.ctx.digestSalt, this.sub), this.command, this.request ? 1 : 0, this.resultCode, flags),
      digestWords(LANE_B, this.sessionNode, this.sessionHi, this.sessionLo, this.hopByHop),
      digestWords(LANE_C, this.endToEnd, this.origin, this.destination, this.authType),
      digestWords(LANE_D, this.assignmentType, this.reasonCode, this.serverName, this.experimentalCode),
    );
  }

  /** 20-byte header + the AVPs as described by writeAvps() (the reference computeLength() is checked against). */
  encodedLength(): number {
    const a = new AvpLength();
    this.writeAvps(a);
    return 20 + a.len;
  }

  /**
   * The exact encoded size by arithmetic, AVP by AVP as writeAvps() lists them (8-byte AVP header,
   * 12 with the 3GPP Vendor-Id, data padded to 4). Cross-checked in every test run.
   */
  computeLength(): number {
    const ctx = this.ctx;
    const L = ctx.len;
    let n = 20;
    n += 8 + pad4(ctx.fqdnLen(this.sessionNode) + 1 + decLen(this.sessionHi) + 1 + decLen(this.sessionLo)); // Session-Id
    if (!this.request) n += this.experimentalCode >= 0 ? 8 + 12 + 12 : 12; // Experimental-Result | Result-Code
    n += 8 + 12 + 12; // Vendor-Specific-Application-Id { Vendor-Id, Auth-Application-Id }
    n += 12; // Auth-Session-State
    n += 8 + pad4(ctx.fqdnLen(this.origin)); // Origin-Host
    n += 8 + pad4(ctx.realm.length); // Origin-Realm
    if (this.request) {
      if (this.destination >= 0) n += 8 + pad4(ctx.fqdnLen(this.destination));
      n += 8 + pad4(ctx.realm.length); // Destination-Realm
      n += 8 + pad4(L.privateId); // User-Name
    }
    switch (this.command) {
      case CxCommand.UserAuthorization:
        if (this.request) n += 12 + pad4(L.pub[0]) + 12 + pad4(L.networkDomain) + 16;
        else if (this.serverName >= 0) n += 12 + pad4(serverNameLength(ctx, this.serverName));
        else if (this.capabilities) n += 12 + 16 + 16;
        break;
      case CxCommand.ServerAssignment:
        if (this.request) n += 12 + pad4(L.pub[0]) + 12 + pad4(serverNameLength(ctx, this.serverName)) + 16 + 16;
        else if (this.userData) n += 12 + pad4(userDataLength(ctx));
        break;
      case CxCommand.RegistrationTermination:
        if (this.request) n += 12 + 16 + 12 + pad4((REASON_INFO[this.reasonCode] ?? 'deregistered').length);
        break;
    }
    return n;
  }

  /** The answer to this request: same Session-Id and identifiers, from the node that answers. */
  answer(origin: number): CxMessage {
    const m = new CxMessage(this.ctx, this.sub, this.command, false);
    m.sessionNode = this.sessionNode;
    m.sessionHi = this.sessionHi;
    m.sessionLo = this.sessionLo;
    m.hopByHop = this.hopByHop;
    m.endToEnd = this.endToEnd;
    m.origin = origin;
    return m;
  }

  /** The AVPs in the order of the command's ABNF (TS 29.229 §6.1). */
  writeAvps(a: AvpSink): void {
    const ctx = this.ctx;
    const ids = ctx.ids;
    const sub = this.sub;
    a.text(AVP.SessionId, false, (o) => {
      o.s(ctx.fqdn(this.sessionNode));
      o.s(';');
      o.dec(this.sessionHi);
      o.s(';');
      o.dec(this.sessionLo);
    });
    if (!this.request) this.writeResult(a);
    a.grouped(AVP.VendorSpecificApplicationId, false, vendorSpecificAppId);
    a.u32(AVP.AuthSessionState, false, 1, AUTH_SESSION_STATE_NAMES);
    a.text(AVP.OriginHost, false, (o) => o.s(ctx.fqdn(this.origin)));
    a.text(AVP.OriginRealm, false, (o) => o.s(ctx.realm));
    if (this.request) {
      if (this.destination >= 0) a.text(AVP.DestinationHost, false, (o) => o.s(ctx.fqdn(this.destination)));
      a.text(AVP.DestinationRealm, false, (o) => o.s(ctx.realm));
      a.text(AVP.UserName, false, (o) => ids.writePrivateId(o, sub));
    }
    switch (this.command) {
      case CxCommand.UserAuthorization:
        if (this.request) {
          a.text(AVP.PublicIdentity, true, (o) => ids.writePublicId(o, sub, 0));
          a.text(AVP.VisitedNetworkIdentifier, true, (o) => o.s(ids.networkDomain));
          a.u32(AVP.UserAuthorizationType, true, this.authType, USER_AUTHORIZATION_TYPE_NAMES);
          a.cite?.(RULE.uarType); // 24.229:5.3.1.2/uar-type
        } else if (this.serverName >= 0) {
          a.text(AVP.ServerName, true, (o) => writeServerName(o, ctx, this.serverName));
        } else if (this.capabilities) {
          a.grouped(AVP.ServerCapabilities, true, serverCapabilities);
        }
        break;
      case CxCommand.ServerAssignment:
        if (this.request) {
          a.text(AVP.PublicIdentity, true, (o) => ids.writePublicId(o, sub, 0));
          a.text(AVP.ServerName, true, (o) => writeServerName(o, ctx, this.serverName));
          a.u32(AVP.ServerAssignmentType, true, this.assignmentType, SERVER_ASSIGNMENT_TYPE_NAMES);
          a.cite?.(RULE.sarType); // 24.229:5.4.1.4/sar-type
          a.u32(AVP.UserDataAlreadyAvailable, true, 0, USER_DATA_ALREADY_AVAILABLE_NAMES);
        } else if (this.userData) {
          a.text(AVP.UserData, true, (o) => writeUserData(o, ctx, sub));
        }
        break;
      case CxCommand.RegistrationTermination:
        if (this.request) {
          a.grouped(AVP.DeregistrationReason, true, (g) => {
            g.u32(AVP.ReasonCode, true, this.reasonCode, REASON_CODE_NAMES);
            g.text(AVP.ReasonInfo, true, (o) => o.s(REASON_INFO[this.reasonCode] ?? 'deregistered'));
          });
        }
        break;
    }
  }

  private writeResult(a: AvpSink): void {
    if (this.experimentalCode >= 0) {
      a.grouped(AVP.ExperimentalResult, false, (g) => {
        g.u32(AVP.VendorId, false, VENDOR_3GPP);
        g.u32(AVP.ExperimentalResultCode, false, this.experimentalCode, EXP_NAMES);
      });
    } else {
      a.u32(AVP.ResultCode, false, this.resultCode, RESULT_CODE_NAMES);
    }
  }

  /** Success: Result-Code 2001 or a 2xxx Experimental-Result. */
  get success(): boolean {
    return this.experimentalCode >= 0 ? this.experimentalCode < 3000 : this.resultCode >= 2000 && this.resultCode < 3000;
  }

  /** The result as a name: 'DIAMETER_SUCCESS', 'DIAMETER_ERROR_IDENTITY_NOT_REGISTERED', … */
  get resultName(): string {
    return this.experimentalCode >= 0
      ? (RESULT_NAMES[`e${this.experimentalCode}`] ?? `Experimental-Result ${this.experimentalCode}`)
      : (RESULT_NAMES[`r${this.resultCode}`] ?? `Result-Code ${this.resultCode}`);
  }

  /** The Diameter PDU as bytes (RFC 6733 §3): what a capture shows. */
  encode(): Uint8Array {
    // Sized by the sealed length (exact; computeLength), the 20-byte header written in front last.
    const a = new AvpEncoder(this.bytes > 0 ? this.bytes : 256, 20);
    this.writeAvps(a);
    const out = a.bytes();
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    dv.setUint32(0, out.length); // version byte set next: length is 24 bits
    dv.setUint8(0, 1);
    dv.setUint32(4, this.command);
    dv.setUint8(4, this.request ? 0xc0 : 0x40); // R (request) and P (proxiable)
    dv.setUint32(8, CX_APPLICATION_ID);
    dv.setUint32(12, this.hopByHop >>> 0);
    dv.setUint32(16, this.endToEnd >>> 0);
    return out;
  }

  /** A readable dump: the header, then every AVP (what a student reads beside the ladder). */
  wire(): string {
    return this.wireMarked().wire;
  }

  /** wire(), with the line of each AVP that realises a rule this message cites (the trace's marks). */
  wireMarked(): { wire: string; marks: readonly WireMark[] } {
    const d = new AvpDump();
    this.writeAvps(d);
    const [req, ans] = COMMAND_NAMES[this.command];
    const hex = (x: number) => '0x' + (x >>> 0).toString(16).padStart(8, '0');
    const lines = [
      `Diameter v1, ${this.bytes} bytes: ${this.request ? req : ans} (${this.kind}), command code ${this.command}, flags ${this.request ? 'R P' : 'P'}`,
      `  Application-Id ${CX_APPLICATION_ID} (3GPP Cx), Hop-by-Hop ${hex(this.hopByHop)}, End-to-End ${hex(this.endToEnd)}`,
      ...d.lines,
    ];
    const marks: WireMark[] = [];
    for (const c of d.cites) {
      if (!this.rules?.includes(c.rule)) continue;
      let start = 0;
      for (let i = 0; i < c.line + 2; i++) start += lines[i]!.length + 1;
      const text = lines[c.line + 2]!;
      const indent = text.length - text.trimStart().length;
      marks.push({ rule: c.rule, start: start + indent, end: start + text.length });
    }
    return { wire: lines.join('\n'), marks };
  }
}

const AUTH_SESSION_STATE_NAMES = ['STATE_MAINTAINED', 'NO_STATE_MAINTAINED'];
const USER_DATA_ALREADY_AVAILABLE_NAMES = ['USER_DATA_NOT_AVAILABLE', 'USER_DATA_ALREADY_AVAILABLE'];
const RESULT_CODE_NAMES: Record<number, string> = { 2001: 'DIAMETER_SUCCESS', 3004: 'DIAMETER_TOO_BUSY', 5012: 'DIAMETER_UNABLE_TO_COMPLY' };
const EXP_NAMES: Record<number, string> = {
  2001: 'DIAMETER_FIRST_REGISTRATION',
  2002: 'DIAMETER_SUBSEQUENT_REGISTRATION',
  2004: 'DIAMETER_SUCCESS_SERVER_NAME_NOT_STORED',
  5001: 'DIAMETER_ERROR_USER_UNKNOWN',
  5002: 'DIAMETER_ERROR_IDENTITIES_DONT_MATCH',
  5003: 'DIAMETER_ERROR_IDENTITY_NOT_REGISTERED',
  5004: 'DIAMETER_ERROR_ROAMING_NOT_ALLOWED',
};
const REASON_INFO = ['Subscription terminated', 'New S-CSCF assigned', 'S-CSCF change requested', 'S-CSCF removed'];

function vendorSpecificAppId(g: AvpSink): void {
  g.u32(AVP.VendorId, false, VENDOR_3GPP);
  g.u32(AVP.AuthApplicationId, false, CX_APPLICATION_ID);
}

function serverCapabilities(g: AvpSink): void {
  g.u32(AVP.MandatoryCapability, true, 1);
  g.u32(AVP.OptionalCapability, true, 2);
}

function decLen(x: number): number {
  return x < 10 ? 1 : x < 100 ? 2 : x < 1000 ? 3 : x < 10000 ? 4 : String(x).length;
}

function serverNameLength(ctx: ImsContext, node: number): number {
  return 'sip:'.length + ctx.hostLen(node) + ':5060'.length;
}

const userDataLengths = new WeakMap<ImsContext, number>();
/** User-Data is the same length for every subscriber (fixed-width identities): measured once. */
function userDataLength(ctx: ImsContext): number {
  let n = userDataLengths.get(ctx);
  if (n === undefined) {
    const o = new LengthSink();
    writeUserData(o, ctx, 0);
    userDataLengths.set(ctx, (n = o.len));
  }
  return n;
}

const CHECK_BYTES = typeof process !== 'undefined' && process.env?.REGLAB_TEST === '1';

/** Server-Name: the S-CSCF's SIP URI (TS 29.229 §6.3.7). */
function writeServerName(o: TextSink, ctx: ImsContext, node: number): void {
  o.s('sip:');
  o.s(ctx.host(node));
  o.s(':5060');
}

/**
 * User-Data: the IMS subscription (TS 29.228 Annex E) — private identity, the implicit set in one
 * service profile, and one initial filter criterion sending INVITEs to the MMTel application server.
 */
function writeUserData(o: TextSink, ctx: ImsContext, sub: number): void {
  const ids = ctx.ids;
  o.s('<?xml version="1.0" encoding="UTF-8"?><IMSSubscription><PrivateID>');
  ids.writePrivateId(o, sub);
  o.s('</PrivateID><ServiceProfile>');
  for (let k = 0; k < ids.implicitSet; k++) {
    o.s('<PublicIdentity><BarringIndication>');
    o.s(k === 0 ? '1' : '0');
    o.s('</BarringIndication><Identity>');
    ids.writePublicId(o, sub, k);
    o.s('</Identity></PublicIdentity>');
  }
  o.s(
    '<InitialFilterCriteria><Priority>0</Priority><TriggerPoint><ConditionTypeCNF>1</ConditionTypeCNF><SPT><ConditionNegated>0</ConditionNegated><Group>0</Group><Method>INVITE</Method></SPT></TriggerPoint><ApplicationServer><ServerName>sip:tas.',
  );
  o.s(ids.imsDomain);
  o.s('</ServerName><DefaultHandling>0</DefaultHandling></ApplicationServer></InitialFilterCriteria></ServiceProfile></IMSSubscription>');
}

