import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEmulateEvent } from './emulation-client.ts';

test('parseEmulateEvent: accepts the server events, names the first wrong field, keeps links on the emulation files', () => {
  assert.deepEqual(parseEmulateEvent('{"type":"hello","hosts":["127.0.0.1"],"running":false}'), { type: 'hello', hosts: ['127.0.0.1'], running: false });
  assert.equal(parseEmulateEvent('{"type":"trace","records":[]}').type, 'trace');
  assert.throws(() => parseEmulateEvent('nope'), /not JSON/);
  assert.throws(() => parseEmulateEvent('[1]'), /expected an object/);
  assert.throws(() => parseEmulateEvent('{"type":"launch"}'), /unknown type "launch"/);
  assert.throws(() => parseEmulateEvent('{"type":"hello","hosts":"127.0.0.1","running":false}'), /hello event: hosts should be an array/);
  assert.throws(() => parseEmulateEvent('{"type":"lateness","lateness":3}'), /lateness should be an object/);
  const done = { type: 'done', ended: 'stopped', dir: '/tmp/r', files: '/api/emulations/t/', outputs: [], summary: {}, rules: [], lateness: {}, wire: {} };
  assert.equal(parseEmulateEvent(JSON.stringify(done)).type, 'done');
  assert.throws(() => parseEmulateEvent(JSON.stringify({ ...done, files: 'https://elsewhere.example/' })), /files should be a path under \/api\/emulations\//);
});
