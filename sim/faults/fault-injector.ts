import type { RandomStream } from '../kernel/random.ts';
import type { FaultAction, Interceptor } from '../net/interceptor.ts';
import type { Message } from '../net/message.ts';
import type { Signals } from '../net/signals.ts';
import type { Node, ErrorAnswer } from '../node/node.ts';
import type { AddressBook, ClockPort, FaultableTransport, RandomStreams } from '../node/ports.ts';
import { inWindow, type FaultRule, type MessageMatch } from './fault-rules.ts';

type LinkRule = Extract<FaultRule, { kind: 'loss' | 'delay' | 'duplicate' | 'drop' | 'partition' }>;

interface Compiled {
  rule: LinkRule;
  rng: RandomStream;
  /** Node indices of the link (both directions), or undefined for all links. */
  a?: number;
  b?: number;
  match?: CompiledMatch;
}

interface CompiledMatch {
  proto?: string;
  kinds?: Set<string>;
  from?: number;
  to?: number;
  subscriber?: number;
  procedure?: string;
}

/**
 * Installs a scenario's fault rules on a built topology: message faults through the network's
 * interceptor, error answers through each node's errorInjector, crashes and overload windows as
 * scheduled events. Each rule draws from its own random stream, so adding a rule never changes
 * another's outcomes. It sees the world through the node ports, so the same rules act on the
 * simulator's network and on the emulation lab's sockets.
 */
export interface FaultPorts {
  clock: ClockPort;
  streams: RandomStreams;
  addresses: AddressBook;
  transport: FaultableTransport;
}

export class FaultInjector implements Interceptor {
  private readonly linkRules: Compiled[] = [];
  /** Times each rule acted, by name. */
  readonly fired = new Map<string, number>();

  private readonly clock: ClockPort;

  constructor(
    ports: FaultPorts,
    private readonly nodes: readonly Node[],
    private readonly signals: Signals,
    rules: readonly FaultRule[],
  ) {
    const clock = (this.clock = ports.clock);
    const idx = (id: string) => ports.addresses.indexOf(id);
    // Rules act at absolute times from the start of the run (the injector is installed at time 0).
    const at = (t: number, fn: () => void) => clock.postIn(t - clock.now(), fn);
    const errorRules = new Map<number, { rule: Extract<FaultRule, { kind: 'error' }>; rng: RandomStream; match?: CompiledMatch }[]>();
    rules.forEach((rule, i) => {
      const rng = ports.streams.stream(`faults/${i}/${rule.name}`);
      this.fired.set(rule.name, 0);
      switch (rule.kind) {
        case 'loss':
        case 'delay':
        case 'duplicate':
          this.linkRules.push({
            rule,
            rng,
            a: rule.link ? idx(rule.link[0]) : undefined,
            b: rule.link ? idx(rule.link[1]) : undefined,
            match: rule.kind !== 'loss' && rule.match ? compile(rule.match, idx) : undefined,
          });
          break;
        case 'drop':
          this.linkRules.push({ rule, rng, match: compile(rule.match, idx) });
          break;
        case 'partition':
          this.linkRules.push({ rule, rng, a: idx(rule.between[0]), b: idx(rule.between[1]) });
          this.atTimes(rule.window.from, rule.window.to, idx(rule.between[0]), 'partition-start', 'partition-end', `${rule.name}: ${rule.between.join(' ⟂ ')}`);
          break;
        case 'error': {
          const n = idx(rule.node);
          const list = errorRules.get(n) ?? [];
          list.push({ rule, rng, match: rule.match ? compile(rule.match, idx) : undefined });
          errorRules.set(n, list);
          break;
        }
        case 'crash': {
          const node = nodes[idx(rule.node)];
          at(rule.at, () => {
            this.count(rule.name);
            signals.fault(clock.now(), node.index, 'crash', `${rule.name}: ${node.id} crashed (volatile state lost)`);
            node.crash();
          });
          if (rule.restartAfter !== undefined) {
            at(rule.at + rule.restartAfter, () => {
              signals.fault(clock.now(), node.index, 'restart', `${rule.name}: ${node.id} restarted`);
              node.start();
            });
          }
          break;
        }
        case 'overload': {
          const node = nodes[idx(rule.node)];
          const saved = { limit: node.queueLimit };
          const detail = `${rule.name}: ${node.id}${rule.capacityFactor !== undefined ? ` at ${Math.round(rule.capacityFactor * 100)}% capacity` : ''}${rule.queueLimit !== undefined ? `, queue limit ${rule.queueLimit}` : ''}`;
          at(rule.window.from, () => {
            this.count(rule.name);
            signals.fault(clock.now(), node.index, 'overload-start', detail);
            if (rule.capacityFactor !== undefined) node.setCostFactor(1 / rule.capacityFactor);
            if (rule.queueLimit !== undefined) {
              saved.limit = node.queueLimit;
              node.queueLimit = rule.queueLimit;
            }
          });
          if (rule.window.to !== undefined) {
            at(rule.window.to, () => {
              signals.fault(clock.now(), node.index, 'overload-end', detail);
              node.setCostFactor(1);
              node.queueLimit = saved.limit;
            });
          }
          break;
        }
      }
    });
    if (this.linkRules.length > 0) ports.transport.interceptor = this;
    for (const [n, list] of errorRules) {
      nodes[n].errorInjector = (msg: Message, from: number): ErrorAnswer | undefined => {
        const now = clock.now();
        for (const e of list) {
          if (!inWindow(e.rule.window, now)) continue;
          if (e.match && !matches(e.match, msg, from, n)) continue;
          if (!e.rng.chance(e.rule.probability)) continue;
          this.count(e.rule.name);
          return { rule: e.rule.name, ...e.rule.answer };
        }
        return undefined;
      };
    }
  }

  onSend(from: number, to: number, msg: Message, now: number): FaultAction | undefined {
    let act: FaultAction | undefined;
    for (const c of this.linkRules) {
      const r = c.rule;
      if (!inWindow(r.window, now)) continue;
      if (c.a !== undefined && !((from === c.a && to === c.b) || (from === c.b && to === c.a))) continue;
      if (c.match && !matches(c.match, msg, from, to)) continue;
      switch (r.kind) {
        case 'partition':
          this.count(r.name);
          return { drop: `fault:${r.name}` };
        case 'loss':
        case 'drop':
          if (c.rng.chance(r.probability)) {
            this.count(r.name);
            // On a stream link the transport turns this loss into a connection reset (sim/net).
            return { drop: `fault:${r.name}`, reset: r.onStream !== 'discard' };
          }
          break;
        case 'delay':
          if (c.rng.chance(r.probability)) {
            this.count(r.name);
            act = { ...act, extraDelay: (act?.extraDelay ?? 0) + r.extra };
          }
          break;
        case 'duplicate':
          if (c.rng.chance(r.probability)) {
            this.count(r.name);
            act = { ...act, duplicates: (act?.duplicates ?? 0) + 1 };
          }
          break;
      }
    }
    return act;
  }

  private count(name: string): void {
    this.fired.set(name, (this.fired.get(name) ?? 0) + 1);
  }

  private atTimes(from: number, to: number | undefined, node: number, startKind: string, endKind: string, detail: string): void {
    const clock = this.clock;
    clock.postIn(from - clock.now(), () => this.signals.fault(clock.now(), node, startKind, detail));
    if (to !== undefined) clock.postIn(to - clock.now(), () => this.signals.fault(clock.now(), node, endKind, detail));
  }
}

function compile(m: MessageMatch, idx: (id: string) => number): CompiledMatch {
  return {
    proto: m.proto,
    kinds: m.kind ? new Set(m.kind) : undefined,
    from: m.from !== undefined ? idx(m.from) : undefined,
    to: m.to !== undefined ? idx(m.to) : undefined,
    subscriber: m.subscriber,
    procedure: m.procedure,
  };
}

function matches(m: CompiledMatch, msg: Message, from: number, to: number): boolean {
  if (m.proto !== undefined && msg.proto !== m.proto) return false;
  if (m.kinds !== undefined && !m.kinds.has(msg.kind)) return false;
  if (m.from !== undefined && from !== m.from) return false;
  if (m.to !== undefined && to !== m.to) return false;
  if (m.procedure !== undefined && msg.procedure !== m.procedure) return false;
  if (m.subscriber !== undefined) {
    if (msg.subs !== undefined) {
      let hit = false;
      for (let i = 0; i < msg.subs.length; i++) if (msg.subs[i] === m.subscriber) hit = true;
      if (!hit) return false;
    } else if (msg.sub !== m.subscriber) return false;
  }
  return true;
}
