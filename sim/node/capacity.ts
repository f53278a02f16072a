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

/** Resolves a message's service time; the kind lookup is a Map hit on the hot path. */
export class CostTable {
  private readonly byKind: Map<string, ServiceCost>;
  constructor(private readonly cfg: CapacityConfig) {
    this.byKind = new Map(Object.entries(cfg.byKind));
  }

  costOf(kind: string): ServiceCost {
    return this.byKind.get(kind) ?? this.cfg.defaultCost;
  }

  /** Multiplies every service time (1 = as configured). */
  factor = 1;

  serviceTime(msg: Message): Ns {
    const c = this.byKind.get(msg.kind) ?? this.cfg.defaultCost;
    return Math.round((c.perMessage + c.perEntry * msg.entries + c.perByte * msg.bytes) * this.factor);
  }

  /** Replaces costs at run time (the failure issue's "capacity reduced for an interval"). */
  set(kind: string | undefined, cost: ServiceCost): void {
    if (kind === undefined) this.cfg.defaultCost = cost;
    else this.byKind.set(kind, cost);
  }
}
