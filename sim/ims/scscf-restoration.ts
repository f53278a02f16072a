import type { ImsContext } from './context.ts';
import type { Scscf } from './scscf.ts';
import { CxMessage, ServerAssignmentType } from './cx.ts';
import type { ImsSip } from './sip-message.ts';
import type { ServerTransaction } from './sip-stack.ts';
import { preRegisteredToken } from './tags.ts';
import { RESTORATION_POLICIES, type RestorationPolicy, type RestorationPolicyName } from '../policies/scscf-restoration.ts';

/**
 * The HSS's IMS restoration information (TS 23.380 §4, the SCSCF-Restoration-Info of TS 29.228
 * [R]): per subscriber, what an S-CSCF needs to rebuild a registration it lost — the contact (the
 * MSC), its +sip.instance, the registration's Call-ID and initial CSeq — and which S-CSCF stored it.
 * Part of the HSS's database (persistent across crashes). One per run, created only when an
 * S-CSCF uses `restoration: hss-restoration` (nothing is allocated otherwise).
 *
 * The model's shortcut: the S-CSCF writes it when a SAR REGISTRATION succeeds (standing for the
 * restoration information that SAR carries), the HSS erases it when the registration ends (SAR
 * …DEREGISTRATION, RTR), the S-CSCF reads it when the SAA to its fetch arrives. The AVP is not
 * put on the wire (its bytes are not counted; docs/ims.md).
 */
export class RestorationStore {
  /** The S-CSCF that stored each subscriber's information, -1 none. */
  readonly scscf: Int16Array;
  readonly msc: Int16Array;
  readonly token: Uint32Array;
  readonly cseq: Uint32Array;
  readonly instance: Int32Array;
  readonly expires: Uint32Array;

  constructor(n: number) {
    this.scscf = new Int16Array(n).fill(-1);
    this.msc = new Int16Array(n).fill(-1);
    this.token = new Uint32Array(n);
    this.cseq = new Uint32Array(n);
    this.instance = new Int32Array(n).fill(-1);
    this.expires = new Uint32Array(n);
  }

  erase(sub: number): void {
    this.scscf[sub] = -1;
  }
}

const stores = new WeakMap<ImsContext, RestorationStore>();

/** The run's restoration store: created when `create`, else undefined unless an S-CSCF created it. */
export function restorationStoreOf(ctx: ImsContext, create: boolean): RestorationStore | undefined {
  let s = stores.get(ctx);
  if (s === undefined && create) stores.set(ctx, (s = new RestorationStore(ctx.population)));
  return s;
}

/** What the S-CSCF lends its restoration part (its arrays are public; these are its private acts). */
export interface ScscfPort
  extends Pick<Scscf, 'index' | 'ctx' | 'population' | 'bindMsc' | 'bindToken' | 'bindCseq' | 'bindInstance' | 'bindExpires' | 'watcher' | 'expiry' | 'views'> {
  now(): number;
  signal(name: string, value: number, sub: number): void;
  /** Serves the REGISTER again (after the restoration information came back, or did not). */
  reenter(req: ImsSip, from: number, tx: ServerTransaction): void;
  reject(req: ImsSip, tx: ServerTransaction): void;
  /** Removes the subscriber's binding (and a coexisting contact), as a deregistration does. */
  unbind(sub: number): void;
  /** Sends a SAR of `type` for `sub` to the HSS; its answer comes back with `context`. */
  sar(sub: number, type: number, procedure: string, context: unknown): void;
  /** (Re)arms the binding expiry timer after expiry.set. */
  armExpiry(): void;
}

const ZERO_SIGNALS = ['registration.lost', 'binding.created', 'binding.removed', 'binding.restored', 'restoration.fetch', 'scscf.unknown-refresh-rejected', 'scscf.dereg-not-registered'];

/** The context of a restoration fetch (SAR NO_ASSIGNMENT): the REGISTER waiting for it. */
export class RestorationFetch {
  constructor(
    readonly tx: ServerTransaction,
    readonly req: ImsSip,
    readonly from: number,
  ) {}
}

/**
 * The S-CSCF's restart and restoration part (issue 13 item 9): a volatile registration store lost
 * at a crash, and what it does with a REGISTER for a registration it does not hold
 * (sim/policies/scscf-restoration.ts). Built only when the S-CSCF's store is volatile or its
 * restoration policy is not the default, so the ordinary path pays one `undefined` test per
 * REGISTER of an unbound subscriber.
 */
export class ScscfRestoration {
  private readonly policy: RestorationPolicy;
  private readonly store: RestorationStore | undefined;
  /** Set while a REGISTER is served again after its fetch: it is not intercepted twice. */
  private reentering = false;

  constructor(
    private readonly s: ScscfPort,
    readonly volatile: boolean,
    policy: RestorationPolicyName,
  ) {
    this.policy = RESTORATION_POLICIES[policy];
    this.store = policy === 'hss-restoration' ? restorationStoreOf(s.ctx, true) : undefined;
  }

  /** The consequence signals exist from the start (0, not absent, in compare tables). */
  started(): void {
    for (const name of ZERO_SIGNALS) this.s.signal(name, 0, -1);
  }

  /** A crash with a volatile store: every binding and reg-event subscription is gone (the HSS still names this S-CSCF). */
  lose(): void {
    const s = this.s;
    let lost = 0;
    for (let sub = 0; sub < s.population; sub++) {
      s.watcher[sub] = -1;
      if (s.bindMsc[sub] < 0) continue;
      lost++;
      s.unbind(sub);
    }
    s.signal('registration.lost', lost, -1);
  }

  /** Pre-registration (sizing scenarios): the HSS holds every subscriber's restoration information, as the SARs would have stored it. */
  preloaded(msc: number, expires: number): void {
    const st = this.store;
    if (st === undefined) return;
    st.scscf.fill(this.s.index);
    st.msc.fill(msc);
    st.cseq.fill(1);
    st.expires.fill(expires);
    for (let sub = 0; sub < this.s.population; sub++) {
      st.token[sub] = preRegisteredToken(sub);
      st.instance[sub] = sub;
    }
  }

  /**
   * A REGISTER for a subscriber this S-CSCF holds no binding of: the policy's. True when handled
   * here (rejected, or waiting for the restoration information).
   */
  unbound(req: ImsSip, from: number, tx: ServerTransaction, deregistration: boolean): boolean {
    if (this.reentering) return false;
    const action = this.policy({ deregistration, continues: req.cseq > 1 });
    if (action === 'serve') return false;
    if (action === 'reject') {
      this.s.signal('scscf.unknown-refresh-rejected', 1, req.sub);
      this.s.reject(req, tx);
      return true;
    }
    // 'restore': a registration's SAR REGISTRATION brings the restoration information back in its
    // SAA (stored() below); a deregistration needs it before it can remove anything: fetch it.
    if (!deregistration) return false;
    this.s.signal('restoration.fetch', 1, req.sub);
    this.s.sar(req.sub, ServerAssignmentType.NoAssignment, 'ims-restoration', new RestorationFetch(tx, req, from));
    return true;
  }

  /**
   * The SAA to a restoration fetch (or its timeout: `ans` undefined): the registration rebuilt
   * from what the HSS stored for this S-CSCF, if anything, then the REGISTER served as if it had
   * never been lost.
   */
  fetched(f: RestorationFetch, ans: CxMessage | undefined): void {
    const s = this.s;
    const st = this.store!;
    const sub = f.req.sub;
    if (ans !== undefined && ans.success && st.scscf[sub] === s.index && s.bindMsc[sub] < 0) {
      s.bindMsc[sub] = st.msc[sub];
      s.bindToken[sub] = st.token[sub];
      s.bindCseq[sub] = st.cseq[sub];
      s.bindInstance[sub] = st.instance[sub];
      s.bindExpires[sub] = st.expires[sub];
      s.expiry.set(sub, s.now() + st.expires[sub] * 1e9);
      s.armExpiry();
      s.views.recheck(sub);
      s.signal('binding.restored', 1, sub);
    } else s.signal('restoration.nothing-stored', 1, sub);
    this.reentering = true;
    try {
      s.reenter(f.req, f.from, f.tx);
    } finally {
      this.reentering = false;
    }
  }

  /** A binding created by a successful SAR REGISTRATION: its restoration information is (re)stored; counted as restored when it continues the stored one. */
  stored(sub: number): void {
    const st = this.store;
    if (st === undefined) return;
    const s = this.s;
    if (st.scscf[sub] === s.index && st.token[sub] === s.bindToken[sub] && st.msc[sub] === s.bindMsc[sub]) s.signal('binding.restored', 1, sub);
    st.scscf[sub] = s.index;
    st.msc[sub] = s.bindMsc[sub];
    st.token[sub] = s.bindToken[sub];
    st.cseq[sub] = s.bindCseq[sub];
    st.instance[sub] = s.bindInstance[sub];
    st.expires[sub] = s.bindExpires[sub];
  }
}
