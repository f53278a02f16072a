import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReplayCsv } from '../../sim/population/csv-replay.ts';
import { parseDuration } from '../../sim/scenario/units.ts';

type Unit = 'ns' | 'us' | 'ms' | 's';
const parse = (text: string, timeUnit: Unit = 's', population = 100) => parseReplayCsv(text, { timeUnit, population, parseDuration });

function rows(text: string, timeUnit: Unit = 's', population = 100) {
  const r = parse(text, timeUnit, population);
  assert.deepEqual(r.problems, []);
  assert.ok(r.rows);
  return { times: [...r.rows.times], subs: [...r.rows.subs], events: [...r.rows.events], names: r.rows.eventNames };
}

test('time,subscriber rows in the time unit; file order kept (sorting is the workload\'s job)', () => {
  assert.deepEqual(rows('2,5\n1,6\n'), { times: [2e9, 1e9], subs: [5, 6], events: [-1, -1], names: [] });
});

test('bare times in each timeUnit', () => {
  assert.deepEqual(rows('1.5,0\n', 's').times, [1_500_000_000]);
  assert.deepEqual(rows('1.5,0\n', 'ms').times, [1_500_000]);
  assert.deepEqual(rows('1.5,0\n', 'us').times, [1_500]);
  assert.deepEqual(rows('15,0\n', 'ns').times, [15]);
  assert.deepEqual(rows('0.1,0\n', 's').times, [100_000_000]);
});

test('a time may carry its own unit, whatever timeUnit says', () => {
  assert.deepEqual(rows('250ms,0\n1.5s,1\n120000000ns,2\n2 min,3\n', 'us').times, [250e6, 1.5e9, 120e6, 120e9]);
});

test('header row, # comments, blank lines, CRLF and spaces around fields', () => {
  const text = '# exported from the MSC log\r\n\r\ntime, subscriber, event\r\n 1 , 2 , detach \r\n# mid comment\r\n\r\n3,4\r\n';
  assert.deepEqual(rows(text), { times: [1e9, 3e9], subs: [2, 4], events: [0, -1], names: ['detach'] });
});

test('the event column: names indexed in order of first appearance, empty means the default event', () => {
  const r = rows('0,1,detach\n0,2,attach\n0,3,detach\n0,4,\n0,5\n');
  assert.deepEqual(r.events, [0, 1, 0, -1, -1]);
  assert.deepEqual(r.names, ['detach', 'attach']);
});

test('a header is only recognised as the first data line', () => {
  const r = parse('0,1\ntime,subscriber\n');
  assert.equal(r.rows, undefined);
  assert.deepEqual(r.problems, ["line 2: time 'time' is not a number of s or a duration like 1.5s"]);
});

test('bad rows name their 1-based file line (comments and blank lines counted) and what is expected', () => {
  const text = ['time,subscriber', '# c', '', '1,2', '1', '1,2,3,4', 'soon,2', '-1,2', '1,-2', '1,2.5', '1,100', '1,x'].join('\n');
  const r = parse(text, 's', 100);
  assert.equal(r.rows, undefined);
  assert.deepEqual(r.problems, [
    'line 5: expected time,subscriber[,event], got 1 column(s)',
    'line 6: expected time,subscriber[,event], got 4 column(s)',
    "line 7: time 'soon' is not a number of s or a duration like 1.5s",
    "line 8: time '-1' is not a number of s or a duration like 1.5s",
    "line 9: subscriber '-2' is not an id in the population (0 … 99)",
    "line 10: subscriber '2.5' is not an id in the population (0 … 99)",
    "line 11: subscriber '100' is not an id in the population (0 … 99)",
    "line 12: subscriber 'x' is not an id in the population (0 … 99)",
  ]);
});

test('a file with nothing but a header and comments has no rows, and says what rows look like', () => {
  assert.deepEqual(parse('# nothing\ntime,subscriber\n\n'), { problems: ['no rows: expected lines of time,subscriber[,event]'] });
  assert.deepEqual(parse(''), { problems: ['no rows: expected lines of time,subscriber[,event]'] });
});

test('a file full of bad rows reports at most 20 of them', () => {
  const text = Array.from({ length: 100 }, () => 'x,y').join('\n');
  assert.equal(parse(text).problems.length, 20);
});

test('times beyond exact integer ns are refused', () => {
  const r = parse('99999999999,0\n', 's');
  assert.equal(r.rows, undefined);
  assert.match(r.problems[0], /^line 1: time '99999999999'/);
});
