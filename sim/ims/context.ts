import type { AddressBook } from '../node/ports.ts';
import { nodeAddress } from '../observe/pcapng.ts';
import type { ImsConfig } from './config.ts';
import { Identities } from './identities.ts';
import { LengthSink, StringSink } from './text-sink.ts';
import { DIGEST_SEED, digestString, digestWord } from '../net/digest.ts';

/**
 * Lengths of the identity strings, the same for every subscriber: identities are rendered at fixed
 * widths (IMSI, MSISDN and IMEI zero-padded to their digit counts, checked at construction), so
 * the exact size of a message is arithmetic on these numbers (sip-message.ts computeLength()).
 */
export interface IdentityLengths {
  /** Public identity k of the implicit set. */
  pub: number[];
  /** Sum over the implicit set of '<' + pub[k] + '>' plus ', ' separators (P-Associated-URI). */
  associated: number;
  privateId: number;
  instanceUrn: number;
  homeDomain: number;
  homeUri: number;
  networkDomain: number;
  imsDomain: number;
  far: number;
}

/**
 * Names a real peer chose (the emulation lab, sim/emulate/foreign-names.ts): its tags and Call-IDs,
 * which the model carries as numbers standing for them and renders back verbatim. The model's own
 * tokens and tags are odd (tags.ts); the lab's stand-ins for a peer's are even, or the value the
 * model itself derives for the peer's role in that dialog.
 */
export interface ForeignNames {
  /** The peer's text for this tag value, undefined for the model's own. */
  tag(v: number): string | undefined;
  /** The peer's Call-ID for this token, undefined for the model's own. */
  callId(token: number): string | undefined;
  /** The Contact URI of the real peer playing this node, undefined for the model's own. */
  contact(node: number): string | undefined;
  /** The URI a real peer wrote beside this tag of its own, when it is no identity the model writes (a lab client's own From). */
  partyUri(tag: number): string | undefined;
}

/**
 * What every IMS node and message of one run shares: the configuration of the `ims:` section, the
 * identities derived from it, and the address of each node. One per address book (a run), built on
 * first use by whichever IMS node is created first.
 *
 * Addresses: a node's SIP host is its IPv4 address — the same one its packets carry in
 * trace.pcapng (nodeAddress, RFC 5737 documentation ranges) — so Via sent-by matches the packet
 * source and no `received` parameter is due (RFC 3261 §18.2.1). Diameter identities are FQDNs:
 * <node id>.ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org, realm ims.mnc<MNC>.mcc<MCC>.3gppnetwork.org.
 */
export class ImsContext {
  readonly ids: Identities;
  private readonly hosts: string[] = [];
  private readonly fqdns: string[] = [];
  /** Diameter realm of the home network. */
  readonly realm: string;
  readonly len: IdentityLengths;
  private readonly hostLens: number[] = [];
  /** Far-end party numbering (see ImsConfig.peers). */
  readonly cfgPeers: { domain: string; numberBase: number; numberDigits: number };

  constructor(
    readonly cfg: ImsConfig,
    readonly population: number,
    private readonly addresses: AddressBook,
  ) {
    this.ids = new Identities(cfg, population);
    this.realm = this.ids.imsDomain;
    const nb = cfg.peers.numberBase;
    if (!/^[0-9]{1,15}$/.test(nb)) throw new RangeError(`ims.peers.numberBase: '${nb}' must be 1 to 15 digits`);
    if (Number(nb) + population > 10 ** nb.length) throw new RangeError(`ims.peers.numberBase: ${population} numbers from ${nb} run past ${nb.length} digits`);
    this.cfgPeers = { domain: cfg.peers.domain, numberBase: Number(nb), numberDigits: nb.length };
    const ids = this.ids;
    const measure = (f: (o: LengthSink) => void) => {
      const o = new LengthSink();
      f(o);
      return o.len;
    };
    const pub: number[] = [];
    for (let k = 0; k < ids.implicitSet; k++) pub.push(measure((o) => ids.writePublicId(o, 0, k)));
    this.len = {
      pub,
      associated: pub.reduce((a, b) => a + b + 2, 0) + 2 * (pub.length - 1),
      privateId: measure((o) => ids.writePrivateId(o, 0)),
      instanceUrn: measure((o) => ids.writeInstanceUrn(o, 0)),
      homeDomain: ids.homeDomain.length,
      homeUri: ids.homeDomainUri.length,
      networkDomain: ids.networkDomain.length,
      imsDomain: ids.imsDomain.length,
      far: 'sip:+'.length + nb.length + 1 + cfg.peers.domain.length + ';user=phone'.length,
    };
  }

  /** SIP host (IPv4 address) of node i. */
  host(i: number): string {
    let h = this.hosts[i];
    if (h === undefined) h = this.hosts[i] = nodeAddress(i);
    return h;
  }

  private salt = 0;
  private salted = false;

  /**
   * The digest of what every message of the run renders the same way (domains, identity formats,
   * node addresses and Diameter identities, far-end numbering): the seed of each message's
   * content digest (ImsSip.digest(), CxMessage.digest()), so a run that changes only these still
   * changes the trace hash. Computed once, on first use (all nodes exist by then).
   */
  get digestSalt(): number {
    if (this.salted) return this.salt;
    const ids = this.ids;
    const o = new StringSink();
    for (let k = 0; k < ids.implicitSet; k++) ids.writePublicId(o, 0, k);
    ids.writePrivateId(o, 0);
    ids.writeInstanceUrn(o, 0);
    let h = digestString(DIGEST_SEED, o.out);
    for (const x of [ids.homeDomainUri, ids.homeDomain, ids.networkDomain, ids.imsDomain, this.realm, this.cfgPeers.domain]) h = digestString(h, x);
    h = digestWord(digestString(h, String(this.cfgPeers.numberBase)), this.cfgPeers.numberDigits);
    for (let i = 0; i < this.addresses.size; i++) h = digestString(digestString(h, this.host(i)), this.fqdn(i));
    this.salted = true;
    return (this.salt = h);
  }

  /** Length of host(i). */
  hostLen(i: number): number {
    let n = this.hostLens[i];
    if (n === undefined) n = this.hostLens[i] = this.host(i).length;
    return n;
  }

  fqdnLen(i: number): number {
    return this.fqdn(i).length;
  }

  /** Diameter identity (FQDN) of node i. */
  fqdn(i: number): string {
    let h = this.fqdns[i];
    if (h === undefined) h = this.fqdns[i] = `${this.nodeId(i)}.${this.ids.imsDomain}`;
    return h;
  }

  nodeId(i: number): string {
    return this.addresses.nameOf(i);
  }

  /** Index of the node with this id, -1 if none (for rules reading node ids off trace records). */
  indexOfId(id: string): number {
    for (let i = 0; i < this.addresses.size; i++) if (this.addresses.nameOf(i) === id) return i;
    return -1;
  }

  /**
   * The registration expiry each MSC requests (seconds), by node index: published by the MSC when it
   * is built, read by an S-CSCF that starts with the MSC's subscribers pre-registered (ims.preRegistered,
   * a sizing shortcut: no REGISTER ever carried it). Nodes share data, not each other's classes.
   */
  readonly requestedExpires: number[] = [];

  /** Set by the emulation lab only: a real peer's tags and Call-IDs (undefined in simulation). */
  foreign: ForeignNames | undefined = undefined;

  /**
   * Set by the emulation lab only (emulation and its replay): the nodes a real peer plays, with the
   * peer's address. RegLab never ran them, so the rules judge none of their acts (rules.ts).
   */
  readonly peers = new Map<number, string>();

  /** What a rule says of a node it does not judge: undefined for RegLab's own node, else why. */
  peerOf(node: string): string | undefined {
    if (this.peers.size === 0) return undefined;
    const a = this.peers.get(this.indexOfId(node));
    return a === undefined ? undefined : `${node} is external (a real peer at ${a})`;
  }
}

const contexts = new WeakMap<object, ImsContext>();

/** The run's context (one per address book: a run), created by the first IMS node built. */
export function imsContextFor(addresses: AddressBook, cfg: ImsConfig, population: number): ImsContext {
  let c = contexts.get(addresses);
  if (!c) {
    c = new ImsContext(cfg, population, addresses);
    contexts.set(addresses, c);
  }
  return c;
}
