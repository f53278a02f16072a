/** The dashboard's few chart colours, in one place (they match the CSS variables in styles.css). */

/** Series colours for per-node lines: distinct but quiet, and ≥ 4.5:1 on white (legends are drawn in them). */
export const SERIES_COLORS = ['#2f5fb3', '#a8551a', '#1f7a66', '#8a4fa8', '#b5342a', '#4f5d70', '#6b6b1a', '#2a6fa3'];

/** Axis lines and tick labels: the --faint of styles.css (≥ 4.5:1 on white). */
export const AXIS_COLOR = '#5f6b7a';

export function seriesColor(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length]!;
}

/**
 * Arrow colour by protocol, so SIP, Diameter, MSGin5G HTTP and the workload's triggers read apart
 * in a ladder. Each is ≥ 4.5:1 on white, so labels drawn in it stay readable too.
 */
export const PROTO_COLORS: Readonly<Record<string, string>> = {
  sip: '#2f5fb3',
  cx: '#8a4fa8',
  diameter: '#8a4fa8',
  msgin5g: '#1f7a66',
  http: '#1f7a66',
  trigger: '#6b5a1e',
  gen: '#485a70',
};

export function protoColor(proto: string): string {
  return PROTO_COLORS[proto.toLowerCase()] ?? '#4a5566';
}

/** Failure classes (ladder-classify.ts) and their colours: errors must not look like successes. */
export const FAILURE_COLORS = {
  '4xx': '#b0470c',
  '5xx': '#b5342a',
  '6xx': '#8c1c52',
  'diameter-error': '#b5342a',
  'msgin5g-failure': '#b5342a',
  dropped: '#b5342a',
} as const;

export const DROPPED_COLOR = FAILURE_COLORS.dropped;
