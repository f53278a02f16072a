import type { ClientProfile } from './ies.ts';

/**
 * The Non-MSGin5G UEs of a scenario: what §8.2.X pre-condition 2 says the Message Gateway is
 * configured with (UE Service ID, credentials, optional profile — TS 23.554 §8.1.3) and what the
 * MSGin5G Server holds as its provisioning (which UEs exist, their credentials, who is authorised).
 *
 * Nothing here is stored per UE: every fact is a pure function of the UE index and the scenario's
 * `msgin5g.ues` settings, so millions of UEs cost no memory and gateway and server agree by
 * construction. A UE is identified in the simulator by its population index; on the wire by its
 * UE Service ID, rendered from a template ("ue{n}@msgin5g.example.net", {n:W} pads to W digits).
 */
export interface UeSettings {
  /** UE Service ID template with one {n} or {n:W}. */
  serviceIdTemplate: string;
  /** Template of the UE Identifier (MSISDN / external ID) in a profile's triggering information. */
  triggerIdTemplate: string;
  /** Share of UEs with an MSGin5G Client Profile. */
  profileShare: number;
  /** Share of UEs whose registration requests are urgent (never bulked). */
  urgentShare: number;
  /** UEs whose credential at the gateway is wrong (authentication fails), by index. */
  badCredentials: readonly number[];
  badCredentialShare: number;
  /** UEs the server does not authorise for the MSGin5G Service, by index. */
  unauthorised: readonly number[];
  unauthorisedShare: number;
}

/** One entry of the scenario's profile catalogue; a UE's profile is one of these, with its own UE Identifier. */
export interface ProfileTemplate {
  triggering?: { protocol: string; ports: number[] };
  availability?: { periodicity: number; duration: number };
  maxSegmentSize?: number;
}

export const DEFAULT_PROFILES: ProfileTemplate[] = [
  { triggering: { protocol: 'SMS', ports: [2948] }, maxSegmentSize: 140 },
  { triggering: { protocol: 'NIDD', ports: [5683] }, availability: { periodicity: 3600, duration: 60 }, maxSegmentSize: 1024 },
  { availability: { periodicity: 86400, duration: 300 } },
];

/** A template with one number slot: render, length and parse without allocation on the hot path. */
export class IdTemplate {
  readonly prefix: string;
  readonly suffix: string;
  readonly width: number;
  constructor(readonly template: string) {
    const m = /^(.*?)\{n(?::(\d+))?\}(.*)$/.exec(template);
    if (!m || m[3].includes('{n')) throw new Error(`template '${template}' must contain exactly one {n} or {n:W}`);
    this.prefix = m[1];
    this.width = m[2] ? Number(m[2]) : 0;
    this.suffix = m[3];
  }

  render(n: number): string {
    const d = String(n);
    return this.prefix + (d.length < this.width ? '0'.repeat(this.width - d.length) + d : d) + this.suffix;
  }

  length(n: number): number {
    const d = digits(n);
    return this.prefix.length + (d < this.width ? this.width : d) + this.suffix.length;
  }

  /** The number an id renders, or -1 when the id is not one this template renders. */
  parse(id: string): number {
    if (id.length <= this.prefix.length + this.suffix.length) return -1;
    if (!id.startsWith(this.prefix) || !id.endsWith(this.suffix)) return -1;
    const mid = id.slice(this.prefix.length, id.length - this.suffix.length);
    if (!/^[0-9]{1,15}$/.test(mid)) return -1;
    const n = Number(mid);
    // Only the canonical rendering names a UE (no extra leading zeros).
    return this.render(n) === id ? n : -1;
  }
}

/** Decimal digits of a non-negative integer. */
export function digits(n: number): number {
  let d = 1;
  while (n >= 10) {
    n = Math.floor(n / 10);
    d++;
  }
  return d;
}

/** murmur3's 32-bit finaliser over (n, salt): a fast, well-mixed per-UE draw that needs no storage. */
export function mix32(n: number, salt: number): number {
  let h = (Math.imul(n | 0, 0x9e3779b1) ^ salt) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function fraction(n: number, salt: number): number {
  return mix32(n, salt) / 4294967296;
}

const SALT_PROFILE = 0x51f1;
const SALT_PROFILE_PICK = 0x9a7e;
const SALT_URGENT = 0x0e6e;
const SALT_BADCRED = 0xbadc;
const SALT_UNAUTH = 0x0a07;
const SALT_CRED1 = 0xc0ffee;
const SALT_CRED2 = 0x5eed;

function hex8(x: number): string {
  const s = x.toString(16);
  return s.length < 8 ? '0'.repeat(8 - s.length) + s : s;
}

/** Length of the credential string (two 32-bit words in hex). */
export const CREDENTIAL_LENGTH = 16;

export class UeDirectory {
  readonly serviceId: IdTemplate;
  readonly triggerId: IdTemplate;
  private readonly badSet: Set<number>;
  private readonly unauthSet: Set<number>;
  /** Per catalogue entry: JSON length of the profile without its UE Identifier text. */
  private readonly profileBase: number[];

  constructor(
    readonly population: number,
    readonly settings: UeSettings,
    readonly profiles: readonly ProfileTemplate[] = DEFAULT_PROFILES,
  ) {
    this.serviceId = new IdTemplate(settings.serviceIdTemplate);
    this.triggerId = new IdTemplate(settings.triggerIdTemplate);
    this.badSet = new Set(settings.badCredentials);
    this.unauthSet = new Set(settings.unauthorised);
    this.profileBase = profiles.map((_, k) => JSON.stringify(this.instantiate(k + 1, '')).length);
  }

  /** Index of the UE a UE Service ID names, or -1 (not a provisioned UE). */
  ueOf(id: string | undefined): number {
    if (typeof id !== 'string') return -1;
    const n = this.serviceId.parse(id);
    return n >= 0 && n < this.population ? n : -1;
  }

  /** Catalogue index + 1 of the UE's profile; 0 when it has none. */
  profileIndex(ue: number): number {
    if (this.profiles.length === 0 || !(fraction(ue, SALT_PROFILE) < this.settings.profileShare)) return 0;
    return 1 + (mix32(ue, SALT_PROFILE_PICK) % this.profiles.length);
  }

  /** The UE's MSGin5G Client Profile, or undefined. */
  profile(ue: number): ClientProfile | undefined {
    const k = this.profileIndex(ue);
    return k === 0 ? undefined : this.instantiate(k, this.triggerId.render(ue));
  }

  /** Catalogue profile k (1-based) for a UE Identifier; key order is the wire order. */
  instantiate(k: number, ueIdentifier: string): ClientProfile {
    const t = this.profiles[k - 1];
    const p: ClientProfile = {};
    if (t.triggering) p.triggeringInfo = { ueIdentifier, ports: [...t.triggering.ports], protocol: t.triggering.protocol };
    if (t.availability) p.communicationAvailability = { periodicity: t.availability.periodicity, duration: t.availability.duration };
    if (t.maxSegmentSize !== undefined) p.maxSegmentSize = t.maxSegmentSize;
    return p;
  }

  /** JSON length of the UE's profile object (0 when none), computed without rendering it. */
  profileLength(ue: number): number {
    const k = this.profileIndex(ue);
    if (k === 0) return 0;
    return this.profileBase[k - 1] + (this.profiles[k - 1].triggering ? this.triggerId.length(ue) : 0);
  }

  /** Catalogue index (1-based) whose instantiation for `ue` equals `p`, or -1; 0 for no profile. */
  matchProfile(ue: number, p: ClientProfile | undefined): number {
    if (p === undefined) return 0;
    const s = JSON.stringify(p);
    const id = this.triggerId.render(ue);
    for (let k = 1; k <= this.profiles.length; k++) if (JSON.stringify(this.instantiate(k, id)) === s) return k;
    return -1;
  }

  urgent(ue: number): boolean {
    return this.settings.urgentShare > 0 && fraction(ue, SALT_URGENT) < this.settings.urgentShare;
  }

  /** The credential the server has provisioned for the UE. */
  expectedCredential(ue: number): string {
    return hex8(mix32(ue, SALT_CRED1)) + hex8(mix32(ue, SALT_CRED2));
  }

  /** Whether the gateway's configured credential for the UE is wrong (a scenario's bad-credential UEs). */
  hasBadCredential(ue: number): boolean {
    return this.badSet.has(ue) || (this.settings.badCredentialShare > 0 && fraction(ue, SALT_BADCRED) < this.settings.badCredentialShare);
  }

  /** The credential the gateway is configured with for the UE (wrong for bad-credential UEs). */
  gatewayCredential(ue: number): string {
    if (!this.hasBadCredential(ue)) return this.expectedCredential(ue);
    return hex8((mix32(ue, SALT_CRED1) ^ 0xffffffff) >>> 0) + hex8(mix32(ue, SALT_CRED2));
  }

  authorised(ue: number): boolean {
    return !this.unauthSet.has(ue) && !(this.settings.unauthorisedShare > 0 && fraction(ue, SALT_UNAUTH) < this.settings.unauthorisedShare);
  }

  /**
   * The answer to a per-UE authentication challenge (our stand-in for a challenge-response such as
   * Digest or AKA): a keyed mix of the credential and the challenge. Only who knows the right
   * credential gets it right.
   */
  static challengeResponse(credential: string, challenge: number): string {
    let h = challenge >>> 0;
    for (let i = 0; i < credential.length; i++) h = mix32(h ^ credential.charCodeAt(i), i + 1);
    return hex8(h) + hex8(mix32(h, challenge));
  }
}
