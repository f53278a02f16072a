import type { NodeType } from './node-type.ts';
import { GEN_NODE_TYPES } from './types/generic.ts';
import { MSGIN5G_NODE_TYPES } from './types/msgin5g.ts';
import { IMS_NODE_TYPES } from './types/ims.ts';

/** Every node type a scenario can name, by domain. */
export const NODE_TYPES: readonly NodeType[] = [...GEN_NODE_TYPES, ...MSGIN5G_NODE_TYPES, ...IMS_NODE_TYPES];

export const NODE_TYPE_BY_NAME: ReadonlyMap<string, NodeType> = new Map(NODE_TYPES.map((t) => [t.type, t]));

/** Loads the implementation of every type named (NodeType.load): a run loads its own domains only. */
export async function loadNodeTypes(names: Iterable<string>): Promise<void> {
  await Promise.all([...new Set(names)].map((n) => NODE_TYPE_BY_NAME.get(n)?.load?.()));
}
