import type { ImsConfig } from './config.ts';
import type { TextSink } from './text-sink.ts';
import { StringSink } from './text-sink.ts';

/**
 * Identities of the IMS Centralized Services subscribers, computed from the subscriber index and
 * the `ims:` section — never stored as strings per subscriber (DESIGN principle 5).
 *
 * TS 23.003 §20.3 (identities for ICS, REFERENCE.md §1 [V]):
 * - home domain          ics.mnc<MNC>.mcc<MCC>.3gppnetwork.org   (MNC zero-padded to 3 digits)
 * - private identity     <IMSI>@ics.mnc<MNC>.mcc<MCC>.3gppnetwork.org
 * - temporary public id  sip:<IMSI>@ics.mnc<MNC>.mcc<MCC>.3gppnetwork.org
 *   e.g. IMSI 234150999999999 → sip:234150999999999@ics.mnc015.mcc234.3gppnetwork.org
 *
 * The implicit registration set (size `implicitSet`, modelling choice [I], docs/ims.md):
 *   k = 0  the temporary public user identity above (the one the MSC registers and deregisters)
 *   k = 1  tel:+<MSISDN>
 *   k = 2  sip:+<MSISDN>@ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org;user=phone
 *   k ≥ 3  sip:<IMSI>.<k>@ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org (synthetic aliases, for large sets)
 *
 * The instance ID (+sip.instance, RFC 5626 / RFC 7254) comes from the device's IMEI:
 *   urn:gsma:imei:<TAC>-<SNR>-0
 */
export class Identities {
  /** 'ics.mnc015.mcc234.3gppnetwork.org' */
  readonly homeDomain: string;
  /** 'sip:ics.mnc015.mcc234.3gppnetwork.org' — the Request-URI of every REGISTER (§6.3.6.2 step 1). */
  readonly homeDomainUri: string;
  /** 'ims.mnc015.mcc234.3gppnetwork.org' — the operator's IMS domain (nodes, MSISDN-based identities). */
  readonly imsDomain: string;
  /** 'mnc015.mcc234.3gppnetwork.org' — the network (Diameter realms, P-Visited-Network-ID). */
  readonly networkDomain: string;
  private readonly imsiPrefix: string;
  private readonly msinBase: number;
  private readonly msinDigits: number;
  private readonly msisdnBase: number;
  private readonly msisdnDigits: number;
  private readonly imeiBase: number;
  readonly implicitSet: number;

  constructor(cfg: ImsConfig, population: number) {
    if (!/^[0-9]{3}$/.test(cfg.mcc)) throw new RangeError(`ims.mcc: '${cfg.mcc}' must be 3 digits`);
    if (!/^[0-9]{2,3}$/.test(cfg.mnc)) throw new RangeError(`ims.mnc: '${cfg.mnc}' must be 2 or 3 digits`);
    const mnc3 = cfg.mnc.padStart(3, '0');
    this.networkDomain = `mnc${mnc3}.mcc${cfg.mcc}.3gppnetwork.org`;
    this.homeDomain = `ics.${this.networkDomain}`;
    this.homeDomainUri = `sip:${this.homeDomain}`;
    this.imsDomain = `ims.${this.networkDomain}`;
    this.imsiPrefix = cfg.mcc + cfg.mnc;
    if (!cfg.imsiBase.startsWith(this.imsiPrefix)) {
      throw new RangeError(`ims.imsiBase: '${cfg.imsiBase}' must start with MCC+MNC '${this.imsiPrefix}'`);
    }
    this.msinDigits = cfg.imsiBase.length - this.imsiPrefix.length;
    this.msinBase = Number(cfg.imsiBase.slice(this.imsiPrefix.length));
    if (this.msinBase + population > 10 ** this.msinDigits) {
      throw new RangeError(
        `ims.imsiBase: ${population} subscribers from ${cfg.imsiBase} run past the ${this.msinDigits}-digit MSIN — lower the base or the population`,
      );
    }
    this.msisdnDigits = cfg.msisdnBase.length;
    this.msisdnBase = Number(cfg.msisdnBase);
    if (this.msisdnBase + population > 10 ** this.msisdnDigits) {
      throw new RangeError(`ims.msisdnBase: ${population} subscribers from ${cfg.msisdnBase} run past ${this.msisdnDigits} digits — lower the base`);
    }
    this.imeiBase = Number(cfg.imeiBase);
    if (this.imeiBase + population > 1e14) throw new RangeError(`ims.imeiBase: ${population} devices from ${cfg.imeiBase} run past 14 digits`);
    if (!(cfg.implicitSet >= 1)) throw new RangeError(`ims.implicitSet: ${cfg.implicitSet} — an implicit registration set has at least 1 identity`);
    this.implicitSet = cfg.implicitSet;
  }

  // ---- writers (used by message renderers, for text and for exact lengths alike) -----------------

  writeImsi(o: TextSink, sub: number): void {
    o.s(this.imsiPrefix);
    o.dec(this.msinBase + sub, this.msinDigits);
  }

  writeMsisdn(o: TextSink, sub: number): void {
    o.dec(this.msisdnBase + sub, this.msisdnDigits);
  }

  /** Private user identity: <IMSI>@<home domain> (an NAI, no scheme). */
  writePrivateId(o: TextSink, sub: number): void {
    this.writeImsi(o, sub);
    o.s('@');
    o.s(this.homeDomain);
  }

  /** Public user identity k of the subscriber's implicit registration set (k = 0: the temporary one). */
  writePublicId(o: TextSink, sub: number, k: number): void {
    if (k === 0) {
      o.s('sip:');
      this.writeImsi(o, sub);
      o.s('@');
      o.s(this.homeDomain);
    } else if (k === 1) {
      o.s('tel:+');
      this.writeMsisdn(o, sub);
    } else if (k === 2) {
      o.s('sip:+');
      this.writeMsisdn(o, sub);
      o.s('@');
      o.s(this.imsDomain);
      o.s(';user=phone');
    } else {
      o.s('sip:');
      this.writeImsi(o, sub);
      o.s('.');
      o.dec(k);
      o.s('@');
      o.s(this.imsDomain);
    }
  }

  /** The instance ID URN (RFC 7254), without the angle brackets of the +sip.instance value. */
  writeInstanceUrn(o: TextSink, sub: number): void {
    const imei = this.imeiBase + sub;
    o.s('urn:gsma:imei:');
    o.dec(Math.floor(imei / 1e6), 8);
    o.s('-');
    o.dec(imei % 1e6, 6);
    o.s('-0');
  }

  // ---- strings (for tests, wire dumps, docs) -----------------------------------------------------

  imsi(sub: number): string {
    return text((o) => this.writeImsi(o, sub));
  }
  msisdn(sub: number): string {
    return text((o) => this.writeMsisdn(o, sub));
  }
  privateId(sub: number): string {
    return text((o) => this.writePrivateId(o, sub));
  }
  publicId(sub: number, k = 0): string {
    return text((o) => this.writePublicId(o, sub, k));
  }
  instanceUrn(sub: number): string {
    return text((o) => this.writeInstanceUrn(o, sub));
  }
  /** All public identities of the implicit registration set, k = 0 first. */
  implicitSetOf(sub: number): string[] {
    const out: string[] = [];
    for (let k = 0; k < this.implicitSet; k++) out.push(this.publicId(sub, k));
    return out;
  }

  /**
   * The subscriber whose temporary public identity (or private identity) this is, or -1: how a
   * node reading a foreign SIP message (one it did not build, e.g. from the parser) finds the
   * subscriber. Accepts 'sip:<IMSI>@<home>', '<IMSI>@<home>', with or without '<>'.
   */
  subscriberOf(uri: string): number {
    let u = uri.trim();
    if (u.startsWith('<') && u.endsWith('>')) u = u.slice(1, -1);
    if (u.startsWith('sip:')) u = u.slice(4);
    const at = u.indexOf('@');
    if (at < 0 || u.slice(at + 1).toLowerCase() !== this.homeDomain) return -1;
    const imsi = u.slice(0, at);
    if (!imsi.startsWith(this.imsiPrefix) || imsi.length !== this.imsiPrefix.length + this.msinDigits || !/^[0-9]+$/.test(imsi)) return -1;
    const sub = Number(imsi.slice(this.imsiPrefix.length)) - this.msinBase;
    return sub >= 0 && Number.isSafeInteger(sub) ? sub : -1;
  }
}

function text(f: (o: StringSink) => void): string {
  const o = new StringSink();
  f(o);
  return o.out;
}
