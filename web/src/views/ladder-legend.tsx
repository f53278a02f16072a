/** What the ladder's colours and dashes mean (one colour per protocol, one per failure class). */
import { memo } from 'react';
import { FAILURE_LABELS } from '../charts/ladder-classify.ts';
import { FAILURE_COLORS, PROTO_COLORS } from '../charts/palette.ts';

const PROTOS: [string, string][] = [
  ['sip', 'SIP'],
  ['cx', 'Diameter Cx'],
  ['msgin5g', 'MSGin5G HTTP/JSON'],
  ['trigger', 'workload trigger'],
];

export const LadderLegend = memo(function LadderLegend() {
  return (
    <ul className="ladder-legend" aria-label="Legend" data-testid="ladder-legend">
      {PROTOS.map(([p, name]) => (
        <li key={p}>
          <span className="swatch" style={{ background: PROTO_COLORS[p] }} aria-hidden />
          {name}
        </li>
      ))}
      {(['4xx', '5xx', '6xx', 'diameter-error', 'msgin5g-failure'] as const).map((f) => (
        <li key={f}>
          <span className="swatch is-thick" style={{ background: FAILURE_COLORS[f] }} aria-hidden />
          {FAILURE_LABELS[f]}
        </li>
      ))}
      <li>
        <span className="swatch is-dashed" aria-hidden /> dropped (✕, with the fault)
      </li>
      <li>
        <span className="swatch is-dotted" aria-hidden /> retransmission
      </li>
    </ul>
  );
});
