import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyOverrides } from '../../sim/scenario/overrides.ts';

function doc(): Record<string, unknown> {
  return {
    duration: '10s',
    network: { defaults: { delay: '5ms' }, links: [{ between: ['relay', 'server'], delay: '20ms' }] },
    nodes: [
      { id: 'client', type: 'gen-client', params: { via: 'relay' } },
      { id: 'relay', type: 'gen-relay', params: { next: 'server' } },
      { id: 'server', type: 'gen-server', workers: 2 },
    ],
    workload: [{ target: 'client', pattern: { kind: 'uniform', window: '2s' } }],
  };
}

type Nodes = { id: string; workers?: unknown; params?: Record<string, unknown> }[];

test('a dotted path sets a nested field; the value is read as YAML (numbers stay numbers, units stay strings)', () => {
  const d = doc();
  assert.deepEqual(applyOverrides(d, ['network.defaults.delay=10ms', 'network.defaults.loss=5%', 'duration=2']), []);
  const net = d.network as { defaults: Record<string, unknown> };
  assert.equal(net.defaults.delay, '10ms');
  assert.equal(net.defaults.loss, '5%');
  assert.equal(d.duration, 2);
});

test('YAML values: booleans, null, lists and mappings; text after the first = is the value', () => {
  const d = doc();
  assert.deepEqual(
    applyOverrides(d, ['a=true', 'b=null', 'c=[1, 2]', 'e={ x: 1 }', 'f=x=y', 'g=', 'h= 0.5']),
    [],
  );
  assert.equal(d.a, true);
  assert.equal(d.b, null);
  assert.deepEqual(d.c, [1, 2]);
  assert.deepEqual(d.e, { x: 1 });
  assert.equal(d.f, 'x=y');
  assert.equal(d.g, null);
  assert.equal(d.h, 0.5);
});

test('a value that is not valid YAML is kept as the raw text', () => {
  const d = doc();
  assert.deepEqual(applyOverrides(d, ['description=[unclosed']), []);
  assert.equal(d.description, '[unclosed');
});

test('a list item is selected by [n] or by its id', () => {
  const d = doc();
  assert.deepEqual(applyOverrides(d, ['nodes[0].params.via=server', 'nodes.server.workers=4', 'nodes.relay.params.next=client']), []);
  const nodes = d.nodes as Nodes;
  assert.equal(nodes[0].params!.via, 'server');
  assert.equal(nodes[2].workers, 4);
  assert.equal(nodes[1].params!.next, 'client');
});

test('[n] chains work inside a path, and the last segment may select a list item', () => {
  const d = doc();
  assert.deepEqual(applyOverrides(d, ['network.links[0].between[1]=client', 'workload[0].pattern.window=30s']), []);
  assert.deepEqual((d.network as { links: { between: string[] }[] }).links[0].between, ['relay', 'client']);
  assert.equal((d.workload as { pattern: { window: string } }[])[0].pattern.window, '30s');
  assert.deepEqual(applyOverrides(d, ['nodes.relay={ id: relay, type: gen-server }']), []);
  assert.deepEqual((d.nodes as Nodes)[1], { id: 'relay', type: 'gen-server' });
});

test('overrides apply in order: a later one wins', () => {
  const d = doc();
  assert.deepEqual(applyOverrides(d, ['nodes.server.workers=1', 'nodes.server.workers=8']), []);
  assert.equal((d.nodes as Nodes)[2].workers, 8);
});

test('missing intermediate mappings are created (the schema then names them if they are unknown)', () => {
  const d = doc();
  assert.deepEqual(applyOverrides(d, ['observe.watch.first=3']), []);
  assert.deepEqual(d.observe, { watch: { first: 3 } });
});

test('no "=": the problem says the expected form', () => {
  const d = doc();
  const p = applyOverrides(d, ['nodes.server.workers', '=5']);
  assert.equal(p.length, 2);
  assert.match(p[0], /^--set nodes\.server\.workers: expected path=value \(e\.g\. --set network\.defaults\.delay=10ms\)$/);
  assert.match(p[1], /^--set =5: expected path=value/);
});

test('an unknown list item id is a problem naming the path and leaves the document untouched', () => {
  const d = doc();
  const before = JSON.stringify(d);
  const p = applyOverrides(d, ['nodes.nope.workers=1']);
  assert.deepEqual(p, ["--set nodes.nope.workers: 'nodes.nope' does not exist in the scenario"]);
  assert.equal(JSON.stringify(d), before);
});

test('a list index beyond the list is a problem', () => {
  const d = doc();
  const p = applyOverrides(d, ['nodes[7].workers=1', 'workload[3]={}']);
  assert.equal(p.length, 2);
  assert.equal(p[0], "--set nodes[7].workers: 'nodes[7]' does not exist in the scenario");
  assert.match(p[1], /^--set workload\[3\]: no list item '3' \(the list has 1 items\)$/);
  assert.equal((d.nodes as Nodes).length, 3);
});

test('a problem quotes the path in the form the user wrote it', () => {
  const p = applyOverrides(doc(), ['nodes[7].workers=1']);
  assert.match(p[0], /'nodes\[7\]' does not exist/);
});

test('the last segment naming an unknown id in a list is a problem', () => {
  const d = doc();
  const p = applyOverrides(d, ['nodes.nope=1']);
  assert.deepEqual(p, ["--set nodes.nope: no list item 'nope' (the list has 3 items)"]);
});

test('a path through a scalar is a problem', () => {
  const d = doc();
  const p = applyOverrides(d, ['duration.unit=ms']);
  assert.equal(p.length, 1);
  assert.match(p[0], /^--set duration\.unit: /);
  assert.equal(d.duration, '10s');
});

test('a malformed path is a problem that shows the allowed syntax', () => {
  for (const bad of ['nodes[x].workers=1', 'nodes[0.workers=1', 'nodes]0[.workers=1']) {
    const p = applyOverrides(doc(), [bad]);
    assert.equal(p.length, 1, bad);
    assert.match(p[0], /not a field path — use dotted names with \[n\] for list items/, bad);
  }
});

test('every override is checked: all problems are reported, good ones still apply', () => {
  const d = doc();
  const p = applyOverrides(d, ['nope', 'nodes.server.workers=3', 'nodes.x.y=1']);
  assert.equal(p.length, 2);
  assert.equal((d.nodes as Nodes)[2].workers, 3);
});
