import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceRecord } from '../../../sim/server/api-types.ts';
import { compileFilter, filterIndices, findAll, isFiltering, NO_FILTER } from './ladder-filter.ts';

const T: TraceRecord[] = [
  { seq: 0, t: 0, from: '(workload)', to: 'msc', proto: 'trigger', kind: 'detach', subscribers: [3], bytes: 0, wire: 'detach for subscriber 3', rules: [], event: 'delivered' },
  { seq: 1, t: 1, from: 'msc', to: 'icscf', proto: 'sip', kind: 'REGISTER', subscribers: [3], bytes: 9, wire: 'REGISTER sip:x SIP/2.0\r\nCall-ID: reg-abc@1\r\nFrom: <sip:234150999999999@ics>', rules: [], event: 'delivered', procedure: 'ics-deregistration' },
  { seq: 2, t: 2, from: 'icscf', to: 'msc', proto: 'sip', kind: '403 REGISTER', subscribers: [4], bytes: 9, wire: 'SIP/2.0 403 Forbidden\r\nCall-ID: reg-def@1', rules: [], event: 'delivered' },
  { seq: 3, t: 3, from: 'gw', to: 'server', proto: 'msgin5g', kind: 'bulk-registration', subscribers: [3, 4, 5], bytes: 9, wire: '{"ueServiceId":"ue5@msgin5g.example.net"}', rules: [], event: 'delivered' },
];
const INFO = [{}, {}, { failure: '4xx' as const }, {}];
const run = (f: Partial<typeof NO_FILTER>) => filterIndices(T, INFO, compileFilter({ ...NO_FILTER, ...f })).indices;

test('filter: by subscriber number, by an identity in the message (IMSI, UE Service ID), procedure, protocol, node, errors only', () => {
  assert.deepEqual(run({ subscriber: '3' }), [0, 1, 3]);
  assert.deepEqual(run({ subscriber: '234150999999999' }), [1]);
  assert.deepEqual(run({ subscriber: 'ue5@msgin5g.example.net' }), [3]);
  assert.deepEqual(run({ procedure: 'ics-deregistration' }), [1]);
  assert.deepEqual(run({ proto: 'sip' }), [1, 2]);
  assert.deepEqual(run({ node: 'msc' }), [0, 1, 2]);
  assert.deepEqual(run({ errorsOnly: true }), [2]);
  assert.deepEqual(run({ proto: 'sip', subscriber: '4' }), [2], 'filters combine');
});

test('search: Call-ID or any header value, case-insensitive; nothing matching gives no rows', () => {
  assert.deepEqual(run({ text: 'REG-DEF' }), [2]);
  assert.deepEqual(run({ text: 'no-such-thing' }), []);
  assert.equal(isFiltering(NO_FILTER), false);
  assert.equal(isFiltering({ ...NO_FILTER, text: '  ' }), false);
  assert.equal(isFiltering({ ...NO_FILTER, errorsOnly: true }), true);
});

test('filterIndices extends the previous result when the trace grows under the same filter', () => {
  const pass = compileFilter({ ...NO_FILTER, subscriber: '3' });
  const first = filterIndices(T.slice(0, 2), INFO, pass);
  assert.deepEqual(first, { indices: [0, 1], scanned: 2 });
  assert.deepEqual(filterIndices(T, INFO, pass, first), { indices: [0, 1, 3], scanned: 4 });
});

test('findAll: every occurrence, case-insensitive, as [start, end) ranges', () => {
  assert.deepEqual(findAll('Call-ID: a; call-id: b', 'CALL-ID'), [
    [0, 7],
    [12, 19],
  ]);
  assert.deepEqual(findAll('abc', ''), []);
});
