/** The dashboard's few chart colours, in one place (they match the CSS variables in styles.css). */

/** Series colours for per-node lines: distinct but quiet, readable on white. */
export const SERIES_COLORS = ['#2f5fb3', '#c2772b', '#2e8b74', '#9a4fae', '#b8434f', '#5b6b7f', '#8a8a2e', '#3f8fc4'];

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}

/** Arrow colour by protocol, so SIP, Diameter and HTTP read apart in a ladder. */
export function protoColor(proto: string): string {
  switch (proto.toLowerCase()) {
    case 'sip':
      return '#2f5fb3';
    case 'diameter':
    case 'cx':
      return '#8a4fa8';
    case 'http':
    case 'http2':
      return '#2b7f6d';
    default:
      return '#4a5566';
  }
}

export const DROPPED_COLOR = '#c0392b';
