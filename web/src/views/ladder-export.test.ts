import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TraceRecord } from '../../../sim/server/api-types.ts';
import { layoutLanes } from '../charts/ladder-layout.ts';
import { arrowColor, escapeXml, ladderMermaid, ladderSvg } from './ladder-export.ts';

const NODES = [
  { id: 'msc', type: 'msc-ics' },
  { id: 'icscf', type: 'icscf' },
];
const T: TraceRecord[] = [
  { seq: 7, t: 1_500_000, from: 'msc', to: 'icscf', proto: 'sip', kind: 'REGISTER', subscribers: [0], bytes: 1, wire: '', rules: [], event: 'delivered' },
  { seq: 9, t: 2_000_000, from: 'icscf', to: 'msc', proto: 'sip', kind: '403 <REGISTER>', subscribers: [0, 1], bytes: 1, wire: '', rules: [], event: 'dropped', reason: 'loss;x' },
];
const INFO = { 7: {}, 9: { failure: '4xx' as const } } as unknown as Record<number, object>;

test('ladderSvg: a standalone SVG with a lane per node and each message numbered #seq, escaped, failures in their colour', () => {
  const lanes = layoutLanes(NODES, [], 600);
  const svg = ladderSvg(lanes, T, INFO as never, 'run & <title>');
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="600"/);
  assert.ok(svg.includes('<title>run &amp; &lt;title&gt;</title>'));
  assert.ok(svg.includes('#7 REGISTER'));
  assert.ok(svg.includes('#9 403 &lt;REGISTER&gt; — dropped: loss;x'));
  assert.ok(svg.includes(`fill="${arrowColor(T[1]!, { failure: '4xx' })}"`));
  assert.ok(svg.trimEnd().endsWith('</svg>'));
  assert.equal(escapeXml(`a<b>&"'`), 'a&lt;b&gt;&amp;&quot;&apos;');
});

test('ladderMermaid: participants in lane order, #seq labels without ";", a dropped message as -x with its reason', () => {
  const text = ladderMermaid(layoutLanes(NODES, [], 600), T);
  const lines = text.trim().split('\n');
  assert.deepEqual(lines.slice(0, 3), ['sequenceDiagram', '  participant P0 as msc', '  participant P1 as icscf']);
  assert.equal(lines[3], '  P0->>P1: #7 1.500 ms REGISTER');
  assert.match(lines[4]!, /^ {2}P1-xP0: #9 2\.000 ms 403 <REGISTER> \[2 subs\] \(dropped: loss x\)$/);
});
