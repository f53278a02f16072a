import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, initialPlayback, play, step, type PlaybackRows } from './ladder-playback.ts';

/** Rows 0..9 at 0, 10, 20 … ms of simulated time; trace indices 100 + row. */
const ROWS: PlaybackRows = { count: 10, timeOf: (r) => r * 10e6, indexOf: (r) => 100 + r };

test('message by message: 2 msg/s advances one row per 500 ms and stops after the last', () => {
  let s = play({ ...initialPlayback(), speed: 2 }, ROWS);
  s = advance(s, 499, ROWS);
  assert.equal(s.row, -1);
  s = advance(s, 1, ROWS);
  assert.equal(s.row, 0);
  s = advance(s, 1000, ROWS);
  assert.equal(s.row, 2);
  s = advance(s, 60_000, ROWS);
  assert.deepEqual([s.row, s.playing], [9, false]);
});

test('a stop point pauses exactly at the chosen message, even when a frame would jump past it', () => {
  let s = play({ ...initialPlayback(), speed: 50, stopAt: 104 }, ROWS);
  s = advance(s, 10_000, ROWS);
  assert.deepEqual([s.row, s.playing], [4, false]);
  // Playing on from the stop point goes past it.
  s = advance(play(s, ROWS), 100, ROWS);
  assert.ok(s.row > 4);
});

test('simulated time: 10 ms per real second moves the cursor 10 ms per 1000 ms and selects the last message at or before it', () => {
  let s = play({ ...initialPlayback(), mode: 'time', speed: 10 }, ROWS);
  s = advance(s, 2500, ROWS);
  assert.equal(s.row, 2);
  assert.equal(s.cursorNs, 25e6);
});

test('step back / forward pause and clamp; play from the end starts again', () => {
  let s = { ...initialPlayback(), playing: true, row: 5 };
  s = step(s, -1, ROWS);
  assert.deepEqual([s.row, s.playing], [4, false]);
  assert.equal(step(s, -100, ROWS).row, 0);
  assert.equal(step(s, 100, ROWS).row, 9);
  assert.equal(play({ ...s, row: 9 }, ROWS).row, -1);
  assert.equal(advance({ ...s, playing: true }, 1000, { count: 0, timeOf: () => 0, indexOf: () => -1 }).row, 4);
});
