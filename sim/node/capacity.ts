import type { Ns } from '../kernel/time.ts';
import type { Message } from '../net/message.ts';

/**
 * The capacity model (DESIGN, "Capacity model"): a message's service time is
 *   perMessage + perEntry × entries + perByte × bytes.
 * A bulk of 100 costs one perMessage and 100 perEntry: bulking saves per-message overhead, never
 * per-entry work.
 */
export interface ServiceCost {
  perMessage: Ns;
  perEntry: Ns;
  perByte: Ns;
}

export const ZERO_COST: ServiceCost = { perMessage: 0, perEntry: 0, perByte: 0 };

export interface CapacityConfig {
  /** Parallel servers. */
  workers: number;
  /** Messages that may wait; beyond it the node answers "overloaded". Infinity: unbounded. */
  queueLimit: number;
  /** Cost for kinds not listed in byKind. */
  defaultCost: ServiceCost;
  /** Cost per message kind ('REGISTER', 'UAR', 'trigger', …). */
  byKind: Record<string, ServiceCost>;
}

export const DEFAULT_CAPACITY: CapacityConfig = {
  workers: 1,
  queueLimit: Infinity,
  defaultCost: ZERO_COST,
  byKind: {},
};

/**
 * Resolves a message's service time. A node sees few kinds, usually the same one many times in a
 * row, so the last kind looked up and its cost are kept (one string comparison instead of a Map
 * lookup on the hot path); a table with no per-kind costs skips the lookup altogether.
 */
export class CostTable {
  private readonly byKind: Map<string, ServiceCost>;
  private lastKind: string | undefined = undefined;
  private lastCost: ServiceCost = ZERO_COST;
  private f = 1;
  /**
   * The service time of every message when it depends on nothing in the message (no per-kind costs,
   * no per-entry or per-byte term): the common case, answered without reading the message. -1
   * otherwise.
   */
  private fixed = -1;
  constructor(private readonly cfg: CapacityConfig) {
    this.byKind = new Map(Object.entries(cfg.byKind));
    this.refresh();
  }

  costOf(kind: string): ServiceCost {
    return this.byKind.get(kind) ?? this.cfg.defaultCost;
  }

  /** Multiplies every service time (1 = as configured). */
  get factor(): number {
    return this.f;
  }
  set factor(f: number) {
    this.f = f;
    this.refresh();
  }

  serviceTime(msg: Message): Ns {
    if (this.fixed >= 0) return this.fixed;
    let c: ServiceCost;
    if (this.byKind.size === 0) {
      c = this.cfg.defaultCost;
    } else {
      const kind = msg.kind;
      if (kind === this.lastKind) {
        c = this.lastCost;
      } else {
        c = this.byKind.get(kind) ?? this.cfg.defaultCost;
        this.lastKind = kind;
        this.lastCost = c;
      }
    }
    // Terms with a zero cost are skipped (x + 0 === x), so entries and bytes are read only when
    // they matter: same sum, in the same order, as perMessage + perEntry × entries + perByte × bytes.
    let t = c.perMessage;
    if (c.perEntry !== 0) t += c.perEntry * msg.entries;
    if (c.perByte !== 0) t += c.perByte * msg.bytes;
    return Math.round(t * this.f);
  }

  /** Replaces costs at run time (the failure issue's "capacity reduced for an interval"). */
  set(kind: string | undefined, cost: ServiceCost): void {
    if (kind === undefined) this.cfg.defaultCost = cost;
    else this.byKind.set(kind, cost);
    this.lastKind = undefined;
    this.refresh();
  }

  private refresh(): void {
    const c = this.cfg.defaultCost;
    // The general formula with both message terms zero: Math.round(perMessage × factor).
    this.fixed = this.byKind.size === 0 && c.perEntry === 0 && c.perByte === 0 ? Math.round(c.perMessage * this.f) : -1;
  }
}
