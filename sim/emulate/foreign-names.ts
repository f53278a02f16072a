import type { ForeignNames } from '../ims/context.ts';

/**
 * The names real peers chose — their tags and Call-IDs (RFC 3261 §19.3: any token, any word@host)
 * — kept by the emulation lab so the model, which carries tags and Call-IDs as 32-bit numbers, can
 * hand them back verbatim: the renderer asks `tag(v)` / `callId(token)` (ImsContext.foreign) and
 * writes the peer's text where the number stands for one.
 *
 * The stand-in numbers:
 * - a Call-ID gets an even token (the model's are odd: tags.ts), a hash of its text, so the same
 *   Call-ID always gets the same token — on every node of the lab, and again after eviction;
 * - a tag in its sender's position (a request's From, a response's To) gets the value the model
 *   derives for that role in that dialog (regFromTag, notifierTag, … of the token), so the model's
 *   own later messages in the dialog (a NOTIFY's To, a refresh's To, an ACK's To) carry the peer's
 *   tag; any other foreign tag gets an even hash of its text.
 * A first mapping is kept (renders never change after the fact: the rule checker re-reads them).
 *
 * Bounded: at most `cap` names of each kind; the oldest unused go first (counted in `evicted`).
 */
export class ForeignNameTable implements ForeignNames {
  private readonly tags = new Map<number, string>();
  private readonly tagValue = new Map<string, number>();
  private readonly callIds = new Map<number, string>();
  private readonly tokenOf = new Map<string, number>();
  evicted = 0;
  /** The Contact URI of the real peer playing each node (a UA's own, e.g. sip.js's `sip:x@y.invalid;transport=ws`): the last one it registered or subscribed with. */
  private readonly contacts = new Map<number, string>();
  /**
   * The URI a real peer wrote beside its own tag when it is no identity of the message's subscriber:
   * a lab client's own From in a dialog about another user (its reg-event SUBSCRIBE to a CS
   * subscriber's identity). Keyed by the tag's value, so the model's messages in that dialog (the
   * 200 OK's From, the NOTIFYs' To) carry the client's URI verbatim (RFC 3261 §8.2.6.2, §12.1.1).
   */
  private readonly partyUris = new Map<number, string>();

  constructor(readonly cap = 1 << 18) {}

  tag(v: number): string | undefined {
    return this.tags.get(v);
  }

  callId(token: number): string | undefined {
    return this.callIds.get(token);
  }

  contact(node: number): string | undefined {
    return this.contacts.get(node);
  }

  partyUri(tag: number): string | undefined {
    return this.partyUris.get(tag);
  }

  /** A real peer's own URI beside its tag (value `tag`, from internTag): rendered wherever the model writes that tag. */
  setPartyUri(tag: number, uri: string): void {
    refresh(this.partyUris, tag, uri);
    while (this.partyUris.size > this.cap) {
      this.partyUris.delete(this.partyUris.keys().next().value as number);
      this.evicted++;
    }
  }

  /** A real peer's Contact for the node it plays: rendered wherever the model writes that node's contact. */
  setContact(node: number, uri: string): void {
    this.contacts.set(node, uri);
  }

  get size(): number {
    return this.tags.size + this.callIds.size;
  }

  /** The token standing for a peer's Call-ID. */
  internCallId(text: string): number {
    const have = this.tokenOf.get(text);
    if (have !== undefined) {
      refresh(this.tokenOf, text, have);
      refresh(this.callIds, have, text);
      return have;
    }
    const t = freeEven(hash32(text), this.callIds);
    this.callIds.set(t, text);
    this.tokenOf.set(text, t);
    this.evictOver(this.callIds, this.tokenOf);
    return t;
  }

  /**
   * The value standing for a peer's tag: the one it already has, else `role` (the model's value for
   * the sender's role, when the tag is in that position and the role's value is free), else an even hash.
   */
  internTag(text: string, role: number | undefined): number {
    const have = this.tagValue.get(text);
    if (have !== undefined) {
      refresh(this.tagValue, text, have);
      refresh(this.tags, have, text);
      return have;
    }
    const v = role !== undefined && role !== 0 && !this.tags.has(role) ? role >>> 0 : freeEven(hash32(text), this.tags);
    this.tags.set(v, text);
    this.tagValue.set(text, v);
    this.evictOver(this.tags, this.tagValue);
    return v;
  }

  private evictOver<K, V>(fwd: Map<K, V>, rev: Map<V, K>): void {
    while (fwd.size > this.cap) {
      const [k, v] = fwd.entries().next().value as [K, V];
      fwd.delete(k);
      rev.delete(v);
      this.evicted++;
    }
  }
}

function refresh<K, V>(m: Map<K, V>, k: K, v: V): void {
  m.delete(k);
  m.set(k, v);
}

/** FNV-1a over the UTF-16 code units. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** An even, non-zero value not yet taken, starting from h (probing by 2 keeps it even). */
function freeEven(h: number, taken: Map<number, string>): number {
  let v = (h & ~1) >>> 0 || 2;
  while (taken.has(v)) v = (v + 2) >>> 0 || 2;
  return v;
}
