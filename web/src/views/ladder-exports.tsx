/**
 * Exports from the page: the ladder as shown (filtered or not) as SVG, PNG or Mermaid, and the run's
 * files as the server keeps them (sim/server/run-files.ts). Big ladders are capped where the format
 * cannot hold them (a PNG canvas is at most ~32,000 px tall), with a note saying so.
 */
import { memo, useState } from 'react';
import type { TraceRecord } from '../../../sim/server/api-types.ts';
import type { RecordInfo } from '../charts/ladder-classify.ts';
import type { LaneLayout } from '../charts/ladder-layout.ts';
import { ladderMermaid, ladderSvg } from './ladder-export.ts';
import { downloadBlob } from '../download.ts';

export const SVG_MAX_ROWS = 20_000;
export const PNG_MAX_ROWS = 1_000;
const FILES = ['trace.pcapng', 'trace.jsonl', 'metrics.csv', 'summary.json', 'rules.json', 'flows.mmd'] as const;

export interface LadderExportsProps {
  lanes: LaneLayout;
  trace: readonly TraceRecord[];
  rows: readonly number[];
  info: readonly RecordInfo[];
  files?: string;
  scenario?: string;
  filtered: boolean;
}

export const LadderExports = memo(function LadderExports({ lanes, trace, rows, info, files, scenario, filtered }: LadderExportsProps) {
  const [note, setNote] = useState('');
  const base = (scenario ?? 'ladder').replace(/\.ya?ml$/, '').replace(/[^A-Za-z0-9_-]+/g, '-');
  const shown = (max: number) => rows.slice(0, max).map((i) => trace[i]!);
  const title = `${scenario ?? 'RegLab run'}${filtered ? ' (filtered)' : ''}`;
  const capNote = (max: number, what: string) => (rows.length > max ? `${what} holds the first ${max.toLocaleString('en-US')} of ${rows.length.toLocaleString('en-US')} messages shown.` : '');

  const svg = () => {
    downloadBlob(new Blob([ladderSvg(lanes, shown(SVG_MAX_ROWS), info, title)], { type: 'image/svg+xml' }), `${base}-ladder.svg`);
    setNote(capNote(SVG_MAX_ROWS, 'The SVG'));
  };
  const png = () => {
    const text = ladderSvg(lanes, shown(PNG_MAX_ROWS), info, title);
    const img = new Image();
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    img.onload = () => {
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      canvas.getContext('2d')?.drawImage(img, 0, 0);
      URL.revokeObjectURL(url);
      canvas.toBlob((b) => {
        if (b) downloadBlob(b, `${base}-ladder.png`);
        else setNote('The browser could not make the PNG (the ladder is too large); use SVG.');
      }, 'image/png');
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      setNote('The browser could not draw the ladder into a PNG; use SVG.');
    };
    img.src = url;
    setNote(capNote(PNG_MAX_ROWS, 'The PNG'));
  };
  const mmd = () => {
    downloadBlob(new Blob([ladderMermaid(lanes, shown(rows.length))], { type: 'text/plain' }), `${base}${filtered ? '-filtered' : ''}.mmd`);
    setNote('');
  };

  return (
    <div className="ladder-exports" data-testid="ladder-exports">
      <div className="export-group" role="group" aria-label={`Export the ladder${filtered ? ' (the filtered messages)' : ''}`}>
        <span className="export-label">Ladder{filtered ? ' (filtered)' : ''}</span>
        <button type="button" className="btn btn-small" onClick={svg} data-testid="export-svg">
          SVG
        </button>
        <button type="button" className="btn btn-small" onClick={png} data-testid="export-png">
          PNG
        </button>
        <button type="button" className="btn btn-small" onClick={mmd} data-testid="export-mermaid">
          Mermaid
        </button>
      </div>
      <div className="export-group" role="group" aria-label="Download the run's files">
        <span className="export-label">Run files</span>
        {files ? (
          FILES.map((f) => (
            <a key={f} className="btn btn-small btn-quiet" href={`${files}${f}`} download={f} data-testid={`download-${f}`}>
              {f}
            </a>
          ))
        ) : (
          <span className="muted">available when the run has finished</span>
        )}
      </div>
      {note && (
        <p className="export-note" role="status" data-testid="export-note">
          {note}
        </p>
      )}
    </div>
  );
});
