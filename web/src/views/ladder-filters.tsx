/** The ladder's filter and search controls (the logic is ladder-filter.ts). */
import { memo } from 'react';
import type { LadderIndex } from '../charts/ladder-classify.ts';
import { isFiltering, NO_FILTER, type LadderFilter } from './ladder-filter.ts';
import { Choice } from '../components/choice.tsx';

/** Memoised; `seen` (records indexed so far) refreshes the selects' options as a run streams in. */
export const LadderFilters = memo(function LadderFilters({ filter, onChange, index }: { filter: LadderFilter; onChange(f: LadderFilter): void; index: LadderIndex; seen: number }) {
  const set = <K extends keyof LadderFilter>(k: K, v: LadderFilter[K]) => onChange({ ...filter, [k]: v });
  return (
    <div className="ladder-filters" role="search" aria-label="Filter and search the messages" data-testid="ladder-filters">
      <label className="field-inline">
        <span>Subscriber</span>
        <input
          data-testid="filter-subscriber"
          placeholder="# or IMSI / IMPU / UE Service ID"
          value={filter.subscriber}
          onChange={(e) => set('subscriber', e.target.value)}
        />
      </label>
      <Select label="Procedure" testId="filter-procedure" value={filter.procedure} values={[...index.procedures]} onChange={(v) => set('procedure', v)} />
      <Select label="Protocol" testId="filter-proto" value={filter.proto} values={[...index.protos]} onChange={(v) => set('proto', v)} />
      <Select label="Node" testId="filter-node" value={filter.node} values={[...index.nodes]} onChange={(v) => set('node', v)} />
      <label className="field-inline check">
        <input type="checkbox" data-testid="filter-errors" checked={filter.errorsOnly} onChange={(e) => set('errorsOnly', e.target.checked)} />
        <span>Errors only</span>
      </label>
      <label className="field-inline grow">
        <span>Search</span>
        <input type="search" data-testid="filter-text" placeholder="Call-ID, branch, header value…" value={filter.text} onChange={(e) => set('text', e.target.value)} />
      </label>
      {isFiltering(filter) && (
        <button type="button" className="btn btn-small btn-quiet" onClick={() => onChange(NO_FILTER)} data-testid="filter-clear">
          Clear
        </button>
      )}
    </div>
  );
});

function Select({ label, testId, value, values, onChange }: { label: string; testId: string; value: string; values: string[]; onChange(v: string): void }) {
  return (
    <label className="field-inline">
      <span>{label}</span>
      <Choice testId={testId} value={value} options={values} onChange={onChange} none="all" />
    </label>
  );
}
