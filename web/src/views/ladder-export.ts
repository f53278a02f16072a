/**
 * Exports of the ladder as the page shows it (all messages, or the filtered ones): a standalone
 * SVG (also the source of the PNG) and a Mermaid sequence diagram. Message numbers are the trace's
 * `#seq`, the same as the page, rules.json's evidence, flows.mmd and the pcapng's frame comments.
 */
import type { TraceRecord } from '../../../sim/server/api-types.ts';
import { arrowAt, ladderHeight, LADDER, type LaneLayout } from '../charts/ladder-layout.ts';
import type { RecordInfo } from '../charts/ladder-classify.ts';
import { FAILURE_COLORS, protoColor } from '../charts/palette.ts';

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function arrowColor(rec: TraceRecord, info: RecordInfo | undefined): string {
  return info?.failure ? FAILURE_COLORS[info.failure] : protoColor(rec.proto);
}

export function arrowLabel(rec: TraceRecord, info: RecordInfo | undefined): string {
  let l = `#${rec.seq} ${rec.kind}`;
  if (info?.retransmitOf !== undefined) l += ' (retransmission)';
  if (rec.event === 'dropped') l += ` — dropped${rec.reason ? `: ${rec.reason}` : ''}`;
  return l;
}

export function formatTime(ns: number): string {
  const ms = ns / 1e6;
  return ms >= 10_000 ? `${(ms / 1000).toFixed(3)} s` : `${ms.toFixed(3)} ms`;
}

/** The rows as one SVG document (lanes on top, one row per message). */
export function ladderSvg(lanes: LaneLayout, rows: readonly TraceRecord[], info: readonly RecordInfo[], title: string): string {
  const top = LADDER.header;
  const h = top + ladderHeight(rows.length);
  const w = lanes.width;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="system-ui, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
  ];
  for (const l of lanes.lanes) {
    out.push(`<line x1="${l.x}" x2="${l.x}" y1="${top}" y2="${h}" stroke="#9aa3ad" stroke-dasharray="3 4"/>`);
    out.push(`<text x="${l.x}" y="${top / 2 + 4}" text-anchor="middle" font-weight="600" fill="#1d232b">${escapeXml(l.id)}</text>`);
  }
  rows.forEach((rec, row) => {
    const a = arrowAt(lanes, rec, row);
    const y = a.y + top;
    const color = arrowColor(rec, info[rec.seq]);
    const dash = a.dropped ? ' stroke-dasharray="5 4"' : '';
    out.push(`<text x="${LADDER.gutter - 8}" y="${y + 4}" text-anchor="end" font-size="11" fill="#4f5a67">${formatTime(rec.t)}</text>`);
    if (a.self) out.push(`<path d="M${a.x1},${y - 7} h${LADDER.selfLoop} v14 h${-LADDER.selfLoop + 6}" fill="none" stroke="${color}" stroke-width="1.6"${dash}/>`);
    else {
      const dir = a.x2 >= a.x1 ? 1 : -1;
      out.push(`<line x1="${a.x1}" y1="${y}" x2="${a.dropped ? a.x2 : a.x2 - dir * 7}" y2="${y}" stroke="${color}" stroke-width="1.6"${dash}/>`);
      if (!a.dropped) out.push(`<polygon points="${a.x2},${y} ${a.x2 - dir * 9},${y - 4.5} ${a.x2 - dir * 9},${y + 4.5}" fill="${color}"/>`);
      else out.push(`<path d="M${a.x2 - 5},${y - 5} l10,10 m0,-10 l-10,10" stroke="${color}" stroke-width="2"/>`);
    }
    const lx = a.self ? a.x1 + LADDER.selfLoop + 6 : (a.x1 + a.x2) / 2;
    out.push(`<text x="${lx}" y="${a.self ? y - 1 : y - 6}" text-anchor="${a.self ? 'start' : 'middle'}" fill="${info[rec.seq]?.failure ? color : '#1d232b'}">${escapeXml(arrowLabel(rec, info[rec.seq]))}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** Mermaid text for the rows (same conventions as flows.mmd: #seq in every label, drops as -x). */
export function ladderMermaid(lanes: LaneLayout, rows: readonly TraceRecord[]): string {
  const alias = new Map<string, string>();
  const lines = ['sequenceDiagram'];
  lanes.lanes.forEach((l, i) => {
    alias.set(l.id, `P${i}`);
    lines.push(`  participant P${i} as ${l.id.replace(/[;#\n]/g, ' ')}`);
  });
  for (const r of rows) {
    // No ';' in a label: Mermaid would read '#…;' as an entity.
    const safe = `#${r.seq} ${formatTime(r.t)} ${r.kind}${r.subscribers.length > 1 ? ` [${r.subscribers.length} subs]` : ''}`.replace(/[;\n]/g, ' ');
    const a = alias.get(r.from) ?? 'P0';
    const b = alias.get(r.to) ?? 'P0';
    lines.push(r.event === 'dropped' ? `  ${a}-x${b}: ${safe} (dropped: ${(r.reason ?? 'unknown').replace(/[;\n]/g, ' ')})` : `  ${a}->>${b}: ${safe}`);
  }
  return lines.join('\n') + '\n';
}
