import type { ImsContext } from './context.ts';

/**
 * Who believes what about each subscriber's IMS registration, against where the subscriber really
 * is — the consequence metrics of the deregistration policies (issue 5, docs/policies.md):
 *
 * - where the subscriber is: the MSC serving it in the CS domain (`at`), set by the triggers the
 *   MSCs receive (attach / location-update: here; detach, implicit-detach, cancel-location, purge,
 *   maintenance, restart: no longer here) — the truth the triggers stand for;
 * - a **stale binding**: an S-CSCF holds a binding for the subscriber through an MSC it is not at.
 *   A gauge signal `binding.stale` on that S-CSCF (+1 when it becomes stale, −1 when the binding
 *   goes or the subscriber comes back): its time integral is the stale binding-seconds;
 * - **orphaned state**: an MSC holds live registration details (registered, refreshing, or kept
 *   after a failed deregistration) for a subscriber no longer there, with no deregistration under
 *   way. A gauge signal `registration.orphaned` on that MSC;
 * - **mismatched views**: the S-CSCF's binding and the MSCs' beliefs disagree (an MSC believes the
 *   subscriber registered through it and no S-CSCF binds it there, or the other way round);
 * - **unreachable**: the subscriber is at an MSC and no S-CSCF binds it there (terminating sessions
 *   cannot find it: e.g. a new MSC's registration removed by the old MSC's late deregistration;
 *   also, briefly, every registration until its binding is stored);
 * - **inconsistent**: any of the four.
 *
 * The counts are kept exactly, event by event (recheck() after every change of a view), so the
 * probes (`ics.*`) read them in O(1). Per subscriber: 5 bytes (`at`, the stale S-CSCF, flag bits).
 * One instance per run (per ImsContext); MSCs and S-CSCFs register themselves when built.
 */
export interface MscView {
  readonly index: number;
  /** Holds registration details it takes as registered (registered … deregistering, kept). */
  believes(sub: number): boolean;
  /** Holds them live, with no deregistration under way (registered, refreshing, kept). */
  holdsLive(sub: number): boolean;
  /** The subscriber's orphaned-state status at this MSC is now `orphan` (signal on change). */
  syncOrphan(sub: number, orphan: boolean): void;
  /** The subscriber, here, became unreachable (+1) or stopped being so (−1): a gauge, its integral the unreachable subscriber-seconds. */
  unreachableChanged(sub: number, delta: 1 | -1): void;
}

export interface RegistrarView {
  readonly index: number;
  /** MSC node of the subscriber's binding, -1 none. */
  readonly bindMsc: Int16Array;
  /** The subscriber's binding here turned stale (+1) or stopped being stale (−1). */
  staleChanged(sub: number, delta: 1 | -1): void;
}

const MISMATCH = 1;
const ORPHAN = 2;
const STALE = 4;
const UNREACHABLE = 8;

export class RegistrationViews {
  /** The MSC serving each subscriber in the CS domain, -1 none. */
  readonly at: Int16Array;
  /** Index (in the registrars list) of the S-CSCF whose binding of the subscriber is stale, -1 none. */
  private readonly staleAt: Int16Array;
  private readonly bits: Uint8Array;
  private readonly mscs: MscView[] = [];
  private readonly registrars: RegistrarView[] = [];
  stale = 0;
  orphaned = 0;
  mismatched = 0;
  unreachable = 0;
  inconsistent = 0;

  constructor(readonly population: number) {
    this.at = new Int16Array(population).fill(-1);
    this.staleAt = new Int16Array(population).fill(-1);
    this.bits = new Uint8Array(population);
  }

  addMsc(m: MscView): void {
    this.mscs.push(m);
  }

  addRegistrar(r: RegistrarView): void {
    this.registrars.push(r);
  }

  /** The subscriber is now served by MSC `msc` (attach, location update). */
  arrived(sub: number, msc: number): void {
    const was = this.at[sub];
    if (was === msc) return;
    this.at[sub] = msc;
    this.recheck(sub, was);
  }

  /** MSC `msc` learnt the subscriber is no longer there (a deregistration trigger). */
  left(sub: number, msc: number): void {
    if (this.at[sub] !== msc) return;
    this.at[sub] = -1;
    this.recheck(sub, msc);
  }

  /** Sizing: every subscriber starts at MSC `msc`, registered and consistent. */
  allAt(msc: number): void {
    this.at.fill(msc);
  }

  /** Re-derives the subscriber's status after any view changed (`wasAt`: where it was before a move); emits the gauge changes. */
  recheck(sub: number, wasAt?: number): void {
    const here = this.at[sub];
    const regs = this.registrars;
    const mscs = this.mscs;
    let staleR = -1;
    let reachable = here < 0;
    for (let i = 0; i < regs.length; i++) {
      const b = regs[i].bindMsc[sub];
      if (b < 0) continue;
      if (b === here) reachable = true;
      else if (staleR < 0) staleR = i;
    }
    let bits = reachable ? 0 : UNREACHABLE;
    const was = this.staleAt[sub];
    if (staleR !== was) {
      if (was >= 0) {
        regs[was].staleChanged(sub, -1);
        this.stale--;
      }
      if (staleR >= 0) {
        regs[staleR].staleChanged(sub, 1);
        this.stale++;
      }
      this.staleAt[sub] = staleR;
    }
    if (staleR >= 0) bits |= STALE;
    for (let j = 0; j < mscs.length; j++) {
      const m = mscs[j];
      let bound = false;
      for (let i = 0; i < regs.length; i++) if (regs[i].bindMsc[sub] === m.index) bound = true;
      if (m.believes(sub) !== bound) bits |= MISMATCH;
      const orphan = here !== m.index && m.holdsLive(sub);
      if (orphan) bits |= ORPHAN;
      m.syncOrphan(sub, orphan);
    }
    const old = this.bits[sub];
    if (old === bits) return;
    this.bits[sub] = bits;
    this.mismatched += (bits & MISMATCH ? 1 : 0) - (old & MISMATCH ? 1 : 0);
    this.orphaned += (bits & ORPHAN ? 1 : 0) - (old & ORPHAN ? 1 : 0);
    const unreachable = (bits & UNREACHABLE ? 1 : 0) - (old & UNREACHABLE ? 1 : 0);
    this.unreachable += unreachable;
    // Counted at the MSC the subscriber is (or, on leaving, was) at: it became unreachable there.
    if (unreachable !== 0) this.mscAt(unreachable > 0 ? here : (wasAt ?? here))?.unreachableChanged(sub, unreachable as 1 | -1);
    this.inconsistent += (bits !== 0 ? 1 : 0) - (old !== 0 ? 1 : 0);
  }

  private mscAt(index: number): MscView | undefined {
    for (let j = 0; j < this.mscs.length; j++) if (this.mscs[j].index === index) return this.mscs[j];
    return undefined;
  }
}

const views = new WeakMap<ImsContext, RegistrationViews>();

/** The run's views (one per ImsContext, i.e. per run). */
export function registrationViewsOf(ctx: ImsContext): RegistrationViews {
  let v = views.get(ctx);
  if (!v) {
    v = new RegistrationViews(ctx.population);
    views.set(ctx, v);
  }
  return v;
}

/** The ICS probes (`metric.ics.*` in sweep / compare rows): the counts above, read at every sample. */
export function icsProbes(ctx: ImsContext | undefined): { name: string; read(): number }[] {
  if (ctx === undefined) return [];
  const v = registrationViewsOf(ctx);
  return [
    { name: 'ics.stale-bindings', read: () => v.stale },
    { name: 'ics.orphaned', read: () => v.orphaned },
    { name: 'ics.mismatched-views', read: () => v.mismatched },
    { name: 'ics.unreachable', read: () => v.unreachable },
    { name: 'ics.inconsistent', read: () => v.inconsistent },
  ];
}
