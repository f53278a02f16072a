import type { RuleResult } from './records.ts';
import type { TraceEntry } from './recorder.ts';

/**
 * The rule checking engine (DESIGN principle 3: spec-traceable). A rule is one normative step
 * with a stable id ('24.292:6.3.6.2/4'); it looks at the watched trace and says passed, failed or
 * not applicable, with the records that prove it. A rule the model does not implement is listed
 * as not applicable with a reason, never silently passed.
 */
export interface Rule {
  id: string;
  /** The step in a sentence, as the spec says it. */
  title: string;
  check(trace: readonly TraceEntry[]): Verdict;
}

export interface Verdict {
  status: RuleResult['status'];
  detail: string;
  evidence: number[];
}

/** How many records a passed rule cites (all violations are cited when it fails). */
const EVIDENCE_SHOWN = 5;

/**
 * The common shape: the rule concerns some messages (`applies`), and each of them must satisfy
 * `violation` (which returns undefined when fine, or what is wrong).
 */
export function perMessageRule(spec: {
  id: string;
  title: string;
  applies: (e: TraceEntry, trace: readonly TraceEntry[]) => boolean;
  violation: (e: TraceEntry, trace: readonly TraceEntry[]) => string | undefined;
  /** Said when no message applies. */
  notApplicable?: string;
}): Rule {
  return {
    id: spec.id,
    title: spec.title,
    check(trace) {
      const applicable: number[] = [];
      const bad: number[] = [];
      let firstProblem = '';
      for (const e of trace) {
        if (!spec.applies(e, trace)) continue;
        applicable.push(e.rec.seq);
        const v = spec.violation(e, trace);
        if (v !== undefined) {
          if (bad.length === 0) firstProblem = `record ${e.rec.seq} (${e.rec.kind} ${e.rec.from}→${e.rec.to}): ${v}`;
          bad.push(e.rec.seq);
        }
      }
      if (applicable.length === 0) {
        return { status: 'not-applicable', detail: spec.notApplicable ?? 'no message in the watched trace to which it applies', evidence: [] };
      }
      if (bad.length > 0) {
        return { status: 'failed', detail: `${bad.length} of ${applicable.length} violate it; first: ${firstProblem}`, evidence: bad };
      }
      return {
        status: 'passed',
        detail: `${applicable.length} message(s) checked`,
        evidence: applicable.slice(0, EVIDENCE_SHOWN),
      };
    },
  };
}

export function evaluateRules(rules: readonly Rule[], trace: readonly TraceEntry[]): RuleResult[] {
  const seen = new Set<string>();
  const out: RuleResult[] = [];
  for (const r of rules) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    let v: Verdict;
    try {
      v = r.check(trace);
    } catch (err) {
      // A broken checker is a failed rule, never a crashed run or a silent pass.
      v = { status: 'failed', detail: `checker error: ${(err as Error).message}`, evidence: [] };
    }
    out.push({ id: r.id, title: r.title, status: v.status, detail: v.detail, evidence: v.evidence });
  }
  return out;
}
