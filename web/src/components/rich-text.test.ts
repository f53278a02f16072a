import { test } from 'node:test';
import assert from 'node:assert/strict';
import { codeSpans } from './rich-text.tsx';

test('codeSpans: backtick pairs are code; an unpaired backtick leaves the text as it is', () => {
  assert.deepEqual(codeSpans('run `reglab compare` this'), [
    { code: false, text: 'run ' },
    { code: true, text: 'reglab compare' },
    { code: false, text: ' this' },
  ]);
  assert.deepEqual(codeSpans('a ` b'), [{ code: false, text: 'a ` b' }]);
  assert.deepEqual(codeSpans('plain'), [{ code: false, text: 'plain' }]);
});
