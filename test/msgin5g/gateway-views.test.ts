// The gateway's side of the mismatched-views probe (sim/msgin5g/views.ts): compareBeliefs' word
// loop (four UEs per 32-bit word) counts exactly what the UE-by-UE definition counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUSY, F_INFLIGHT, F_WAS_REG, IDLE, REGISTERED, compareBeliefs } from '../../sim/msgin5g/gateway-shell.ts';

/** The definition, UE by UE. */
function reference(st: Uint8Array, fl: Uint8Array, reg: Uint8Array, from: number, count: number, np: number, k: number) {
  const acc = { onlyServer: 0, onlyGateway: 0 };
  for (let i = 0; i < count; i++) {
    const ue = from + i;
    if (ue % np !== k || fl[i] & F_INFLIGHT) continue;
    const believed = st[i] === REGISTERED || (st[i] === BUSY && (fl[i] & F_WAS_REG) !== 0);
    if (reg[ue] === 1 && !believed) acc.onlyServer++;
    if (reg[ue] === 0 && believed) acc.onlyGateway++;
  }
  return acc;
}

test('compareBeliefs counts the same mismatches as the UE-by-UE definition: every state and flag, aligned or not, one server or several', () => {
  let x = 7;
  const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let words = 0;
  for (const count of [0, 1, 3, 4, 5, 63, 64, 1001, 4096]) {
    for (const from of [0, 1, 2, 4, 8, 13]) {
      const st = new Uint8Array(count);
      const fl = new Uint8Array(count);
      const reg = new Uint8Array(from + count + 3);
      for (let i = 0; i < count; i++) {
        st[i] = [IDLE, REGISTERED, BUSY][Math.floor(rnd() * 3)];
        // every flag bit may be set: only F_WAS_REG and F_INFLIGHT may matter
        fl[i] = Math.floor(rnd() * 256);
      }
      for (let u = 0; u < reg.length; u++) reg[u] = rnd() < 0.5 ? 1 : 0;
      for (const np of [1, 2, 3]) {
        for (let k = 0; k < np; k++) {
          const got = { onlyServer: 5, onlyGateway: 7 }; // adds to what acc holds
          compareBeliefs(st, fl, reg, from, count, np, k, got);
          const want = reference(st, fl, reg, from, count, np, k);
          assert.deepEqual(got, { onlyServer: want.onlyServer + 5, onlyGateway: want.onlyGateway + 7 }, `count ${count} from ${from} np ${np} k ${k}`);
          if (np === 1 && from % 4 === 0) words += count >> 2;
        }
      }
    }
  }
  assert.ok(words > 1000, 'the word loop ran');
});
