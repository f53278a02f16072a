import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contrastRatio, over, parseColor } from './contrast.ts';

test('contrast: black on white is 21:1, a colour on itself 1:1, and the order does not matter', () => {
  const black = parseColor('#000000')!;
  const white = parseColor('rgb(255, 255, 255)')!;
  assert.equal(Math.round(contrastRatio(black, white) * 100) / 100, 21);
  assert.equal(contrastRatio(white, white), 1);
  assert.equal(contrastRatio(white, black), contrastRatio(black, white));
});

test('contrast: the old faint grey #8b95a3 fails 4.5:1 on white, the new one passes', () => {
  const white = parseColor('#ffffff')!;
  assert.ok(contrastRatio(parseColor('#8b95a3')!, white) < 3.1);
  assert.ok(contrastRatio(parseColor('#5f6b7a')!, white) >= 4.5);
});

test('parseColor: rgba with alpha, percent alpha, space syntax; junk is undefined', () => {
  assert.deepEqual(parseColor('rgba(10, 20, 30, 0.5)'), [10, 20, 30, 0.5]);
  assert.deepEqual(parseColor('rgb(10 20 30 / 50%)'), [10, 20, 30, 0.5]);
  assert.equal(parseColor('transparent'), undefined);
  assert.equal(parseColor('red'), undefined);
});

test('over: half-transparent black on white is mid grey', () => {
  assert.deepEqual(over([0, 0, 0, 0.5], [255, 255, 255, 1]), [127.5, 127.5, 127.5, 1]);
});
