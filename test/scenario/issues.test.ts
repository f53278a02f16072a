import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { describeIssue, formatPath } from '../../sim/scenario/issues.ts';
import { ScenarioSchema } from '../../sim/scenario/schema.ts';
import { Duration } from '../../sim/scenario/fields.ts';

/** All problem lines for `raw` against `schema`. */
function lines(schema: z.ZodType, raw: unknown): string[] {
  const r = schema.safeParse(raw);
  assert.equal(r.success, false, 'expected the input to be invalid');
  return r.error!.issues.map((i) => describeIssue(i as z.core.$ZodIssue, schema, raw));
}

function scenario(): Record<string, unknown> {
  return {
    description: 'x',
    duration: '1s',
    nodes: [
      { id: 'client', type: 'gen-client', params: { via: 'server' } },
      { id: 'server', type: 'gen-server', costs: { request: { perMessage: '1ms' } } },
    ],
    population: { size: 3 },
    workload: [{ target: 'client', pattern: { kind: 'poisson', rate: '10/s' } }],
  };
}

test('formatPath: dotted names, [n] for indices, empty for the top level', () => {
  assert.equal(formatPath([]), '');
  assert.equal(formatPath(['a']), 'a');
  assert.equal(formatPath(['nodes', 2, 'params', 'via']), 'nodes[2].params.via');
  assert.equal(formatPath(['a', 0, 1, 'b']), 'a[0][1].b');
  assert.equal(formatPath([0, 'x']), '[0].x');
});

test('the base scenario of these tests is valid (so each mutation below tests one thing)', () => {
  assert.equal(ScenarioSchema.safeParse(scenario()).success, true);
});

test('unknown top-level field: lists the top-level fields allowed', () => {
  const raw = { ...scenario(), observ: {} };
  assert.deepEqual(lines(ScenarioSchema, raw), [
    "(top level): unknown field 'observ' — allowed: " + Object.keys(ScenarioSchema.shape).join(', '),
  ]);
});

test('several unknown fields at once are named together', () => {
  const raw = { ...scenario(), foo: 1, bar: 2 };
  const [l] = lines(ScenarioSchema, raw);
  assert.match(l, /^\(top level\): unknown fields 'foo', 'bar' — allowed: name, description, /);
});

test('unknown field inside a node: the allowed fields are those of a node', () => {
  const raw = scenario();
  (raw.nodes as Record<string, unknown>[])[1].wrokers = 2;
  assert.deepEqual(lines(ScenarioSchema, raw), ["nodes[1]: unknown field 'wrokers' — allowed: id, type, workers, queueLimit, costs, params"]);
});

test("unknown field in params: the allowed fields are the node type's own params, chosen by type", () => {
  const raw = scenario();
  (raw.nodes as { params?: Record<string, unknown> }[])[0].params!.timout = '1s';
  (raw.nodes as { params?: Record<string, unknown> }[])[1].params = { size: 1 };
  assert.deepEqual(lines(ScenarioSchema, raw), [
    "nodes[0].params: unknown field 'timout' — allowed: via, timeout, payload",
    "nodes[1].params: unknown field 'size' — allowed: payload",
  ]);
});

test('unknown field through a record (costs) and a discriminated union (pattern kind)', () => {
  const raw = scenario();
  (raw.nodes as { costs?: Record<string, Record<string, unknown>> }[])[1].costs!.request.perMesage = '1ms';
  (raw.workload as { pattern: Record<string, unknown> }[])[0].pattern.window = '1s';
  assert.deepEqual(lines(ScenarioSchema, raw), [
    "nodes[1].costs.request: unknown field 'perMesage' — allowed: perMessage, perEntry, perByte",
    "workload[0].pattern: unknown field 'window' — allowed: kind, start, rate, count, pick",
  ]);
});

test('a required field that is missing says so and what type is expected', () => {
  const raw = scenario();
  delete raw.description;
  assert.deepEqual(lines(ScenarioSchema, raw), ['description: required field is missing — expected string']);
});

test('a wrong type names what was expected and what was given', () => {
  const raw = { ...scenario(), nodes: { a: 1 } };
  assert.deepEqual(lines(ScenarioSchema, raw), ['nodes: expected array, got a mapping']);
  assert.deepEqual(lines(z.object({ n: z.number() }), { n: 'three' }), ['n: expected number, got "three"']);
  assert.deepEqual(lines(z.object({ n: z.number() }), { n: [1] }), ['n: expected number, got a list']);
  assert.deepEqual(lines(z.object({ n: z.number() }), { n: null }), ['n: expected number, got null']);
});

test('too small / too large give the bound', () => {
  assert.deepEqual(lines(z.object({ n: z.number().min(1) }), { n: 0 }), ['n: 0 is too small — must be ≥ 1']);
  assert.deepEqual(lines(z.object({ n: z.number().gt(1) }), { n: 1 }), ['n: 1 is too small — must be > 1']);
  assert.deepEqual(lines(z.object({ n: z.number().max(9) }), { n: 10 }), ['n: 10 is too large — must be ≤ 9']);
  assert.deepEqual(lines(z.object({ n: z.number().lt(9) }), { n: 9 }), ['n: 9 is too large — must be < 9']);
  assert.deepEqual(lines(z.object({ xs: z.array(z.number()).min(2) }), { xs: [1] }), ['xs: needs at least 2 item(s)']);
  assert.deepEqual(lines(z.object({ s: z.string().min(1) }), { s: '' }), ['s: must not be empty']);
});

test('a discriminator value that is not known lists the known ones; a missing one says required', () => {
  const raw = scenario();
  (raw.nodes as Record<string, unknown>[])[1].type = 'gen-serveur';
  const [l] = lines(ScenarioSchema, raw);
  assert.match(l, /^nodes\[1\]\.type: "gen-serveur" is not known — one of: .*gen-client.*gen-server/);
  const raw2 = scenario();
  delete (raw2.workload as { pattern: Record<string, unknown> }[])[0].pattern.kind;
  assert.deepEqual(lines(ScenarioSchema, raw2), ['workload[0].pattern.kind: required field is missing — one of: all-at-once, uniform, poisson, csv']);
});

test('an enum value lists the allowed values', () => {
  assert.deepEqual(lines(z.object({ t: z.enum(['datagram', 'stream']) }), { t: 'tcp' }), ['t: "tcp" is not allowed — one of: "datagram", "stream"']);
});

test('a custom check (units) keeps its own message, which says what is allowed', () => {
  const [l] = lines(z.object({ d: Duration }), { d: '5 parsecs' });
  assert.match(l, /^d: "5 parsecs" is not a duration — use a non-negative number with a unit: ns, us, ms, s, min or h/);
});

test('a regex check keeps its message', () => {
  const raw = scenario();
  (raw.nodes as Record<string, unknown>[])[1].id = '9lives';
  const [l] = lines(ScenarioSchema, raw);
  assert.match(l, /^nodes\[1\]\.id: "9lives" — a node id starts with a letter/);
});

test('a missing field with units says it is required and what is allowed', () => {
  const raw = scenario();
  delete raw.duration;
  const [l] = lines(ScenarioSchema, raw);
  assert.match(l, /^duration: required field is missing — .*ns, us, ms, s, min or h/);
});

test('a plain union names its forms', () => {
  const raw = scenario();
  (raw.nodes as Record<string, unknown>[])[1].queueLimit = 'many';
  const [l] = lines(ScenarioSchema, raw);
  assert.match(l, /^nodes\[1\]\.queueLimit: "many" is not allowed — expected a whole number ≥ 0 or 'none'/);
  assert.doesNotMatch(l, /does not match any allowed form$/);
});

test('a bad record key (variant name) says what a key may contain', () => {
  const raw = { ...scenario(), variants: { 'two words': ['nodes.server.workers=1'] } };
  const [l] = lines(ScenarioSchema, raw);
  assert.match(l, /^variants\.two words: the key 'two words' is not allowed — .*letters, digits/);
});
