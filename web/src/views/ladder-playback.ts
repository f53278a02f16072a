/**
 * Playback of a finished (or running) trace: message by message at N messages per second, or in
 * simulated time at a chosen rate, with a stop point ("play until #N"). The pure part — where the
 * cursor goes after dt real milliseconds — is `advance`; the view's hook drives it from
 * requestAnimationFrame.
 */

export type PlaybackMode = 'message' | 'time';

export interface PlaybackState {
  playing: boolean;
  mode: PlaybackMode;
  /** Messages per second (message mode) or simulated ms per real second (time mode). */
  speed: number;
  /** Current row among the rows shown (−1: before the first). */
  row: number;
  /** Simulated time of the cursor, ns (time mode). */
  cursorNs: number;
  /** Real ms accumulated toward the next message (message mode). */
  carryMs: number;
  /** Trace index to stop at (inclusive), if any. */
  stopAt?: number;
}

export const MESSAGE_SPEEDS = [1, 2, 5, 10, 50] as const;
export const TIME_SPEEDS = [1, 10, 100, 1000] as const;

export function initialPlayback(): PlaybackState {
  return { playing: false, mode: 'message', speed: 2, row: -1, cursorNs: 0, carryMs: 0 };
}

export interface PlaybackRows {
  count: number;
  /** Simulated time (ns) of a shown row. */
  timeOf(row: number): number;
  /** Trace index of a shown row. */
  indexOf(row: number): number;
}

/**
 * The state after `dtMs` real milliseconds. Stops (playing = false) at the stop point or after
 * the last row.
 */
export function advance(s: PlaybackState, dtMs: number, rows: PlaybackRows): PlaybackState {
  if (!s.playing || rows.count === 0) return s;
  let row = s.row;
  let carryMs = s.carryMs;
  let cursorNs = s.cursorNs;
  // Stops where the stop point is crossed (a row at or past it, after one before it).
  const stopRow = (r: number) => s.stopAt !== undefined && rows.indexOf(r) >= s.stopAt && (r === 0 || rows.indexOf(r - 1) < s.stopAt);
  if (s.mode === 'message') {
    carryMs += dtMs;
    const per = 1000 / s.speed;
    while (carryMs >= per && row < rows.count - 1) {
      carryMs -= per;
      row++;
      if (stopRow(row)) return { ...s, row, carryMs: 0, cursorNs: rows.timeOf(row), playing: false };
    }
    if (row >= rows.count - 1) return { ...s, row: rows.count - 1, carryMs: 0, cursorNs: rows.timeOf(rows.count - 1), playing: false };
    return { ...s, row, carryMs, cursorNs: row >= 0 ? rows.timeOf(row) : cursorNs };
  }
  cursorNs += dtMs * s.speed * 1e3; // speed simulated ms per real s = speed µs per real ms
  while (row < rows.count - 1 && rows.timeOf(row + 1) <= cursorNs) {
    row++;
    if (stopRow(row)) return { ...s, row, cursorNs: rows.timeOf(row), playing: false };
  }
  if (row >= rows.count - 1) return { ...s, row: rows.count - 1, cursorNs, playing: false };
  return { ...s, row, cursorNs };
}

/** Step one message forward or back (pauses playback), clamped to the rows shown. */
export function step(s: PlaybackState, delta: number, rows: PlaybackRows): PlaybackState {
  if (rows.count === 0) return { ...s, playing: false };
  const row = Math.max(0, Math.min(rows.count - 1, s.row + delta));
  return { ...s, playing: false, row, carryMs: 0, cursorNs: rows.timeOf(row) };
}

/** Play from the current row (from the start when at the end). */
export function play(s: PlaybackState, rows: PlaybackRows): PlaybackState {
  const atEnd = s.row >= rows.count - 1;
  const row = atEnd ? -1 : s.row;
  return { ...s, playing: rows.count > 0, row, carryMs: 0, cursorNs: row >= 0 ? rows.timeOf(row) : rows.count ? rows.timeOf(0) : 0 };
}
