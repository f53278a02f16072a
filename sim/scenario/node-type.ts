import type { z } from 'zod';
import type { Node, NodeContext } from '../node/node.ts';
import type { Rule } from '../observe/rules.ts';
import type { ExtraFile } from '../observe/export.ts';
import type { TraceEntry } from '../observe/recorder.ts';
import type { PcapFrame } from '../observe/pcapng.ts';

/** What a node factory may use besides its own parameters. */
export interface BuildEnv {
  /** Index of a node by id (all nodes are attached before any node starts). */
  indexOf(id: string): number;
  population: number;
  seed: number;
  /** A domain section of the scenario (sections.ts), validated; undefined when the file has none. */
  section(name: string): unknown;
}

/**
 * A node type a scenario can name (`type:` in `nodes`). Each domain (generic/, ims/, msgin5g/)
 * contributes its own; sim/scenario/node-types.ts lists them.
 */
export interface NodeType<P = any> {
  type: string;
  /** One line for docs and the dashboard. */
  title: string;
  /** Strict schema of `params`, with defaults. */
  params: z.ZodType<P, any>;
  /** Node ids named in params, as [field, id], so the loader can check they exist. */
  refs(p: P): [field: string, id: string][];
  /**
   * Loads what `create`, `rules`, `pcap` and `probes` need (the domain's node classes and protocol
   * code) before a run builds this type: buildTopology awaits it for the types its scenario names,
   * so a run loads only its own domains (start-up: each module costs a worker thread ~2–3 ms).
   * Idempotent. Absent: everything is loaded with the type.
   */
  load?(): Promise<void>;
  create(id: string, ctx: NodeContext, p: P, env: BuildEnv): Node;
  /** Volatile + persistent state per subscriber, in bytes, to refuse populations that cannot fit. */
  bytesPerSubscriber: number;
  /** Spec rules this node type's protocol realises (deduplicated by id across types). */
  rules?: readonly Rule[];
  /** Extra run-directory files built from the watched trace. */
  exports?(trace: readonly TraceEntry[], nodes: readonly string[]): ExtraFile[];
  /**
   * Capture frames for the protocols this type speaks: every delivered watched message whose `proto`
   * is listed goes through `frames` and the run writes one trace.pcapng for all protocols.
   * `addressOf(nodeId)` is the node's IPv4 address in the capture.
   */
  pcap?: { protos: readonly string[]; frames(e: TraceEntry, addressOf: (nodeId: string) => string): PcapFrame[] };
  /**
   * Domain-wide quantities read at every sample and at the end (e.g. UEs the gateway and the server
   * disagree on). Called once per type with all the run's nodes; probe names must be unique.
   */
  probes?(nodes: readonly Node[]): { name: string; read(): number }[];
}

/**
 * A domain's implementation module, imported on first `load()` (NodeType.load) and read through
 * `get()` afterwards; `get()` before any load is a programming error and says which domain.
 */
export function lazyImplementation<M>(domain: string, importIt: () => Promise<M>): { load(): Promise<void>; get(): M } {
  let mod: M | undefined;
  let loading: Promise<void> | undefined;
  return {
    load() {
      return (loading ??= importIt().then((m) => void (mod = m)));
    },
    get() {
      if (mod === undefined) throw new Error(`${domain} node types used before their load() (buildTopology awaits it)`);
      return mod;
    },
  };
}
