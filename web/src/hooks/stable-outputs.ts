/**
 * The finished runs of a campaign as a list that keeps its identity while only progress changes:
 * progress arrives several times a second, and the charts of finished runs must not be redrawn for
 * it.
 */
import { useRef } from 'react';
import type { JobOutput } from '../../../sim/server/campaign-types.ts';
import type { CampaignKind } from '../../../sim/server/campaign-types.ts';
import { resultOf, type CampaignResult, type CampaignState } from './campaign-state.ts';

export interface LabelledOutput {
  label: string;
  output: JobOutput;
}

/** Same labels and the same output objects, in order. */
export function sameOutputs(a: readonly LabelledOutput[], b: readonly LabelledOutput[]): boolean {
  return a.length === b.length && a.every((x, i) => x.label === b[i]!.label && x.output === b[i]!.output);
}

export function useStableOutputs(result: CampaignResult | undefined): LabelledOutput[] {
  const ref = useRef<LabelledOutput[]>([]);
  const next = (result?.jobs ?? []).filter((j) => j.output).map((j) => ({ label: j.job.label, output: j.output! }));
  if (!sameOutputs(ref.current, next)) ref.current = next;
  return ref.current;
}

/** A view's result (resultOf) and its finished runs (useStableOutputs). */
export function useViewResult(state: CampaignState, kind: CampaignKind): { result?: CampaignResult; outputs: LabelledOutput[] } {
  const result = resultOf(state, kind);
  return { result, outputs: useStableOutputs(result) };
}
