// The Clock conformance suite on wall-clock time: the RealTimeClock of the emulation lab.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealTimeClock } from '../../sim/kernel/real-time-clock.ts';
import { MS } from '../../sim/kernel/time.ts';
import { clockConformance } from './clock-conformance.ts';

/** Generous against a loaded CI host, still far below anything a protocol timer would notice. */
const TOLERANCE = 50 * MS;
/** A run that has not gone idle by then is a hung driver, not a slow host. */
const RUN_TIMEOUT_MS = 2000;

clockConformance('RealTimeClock', () => {
  const clock = new RealTimeClock();
  return {
    clock,
    run: () =>
      new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const poll = () => {
          if (clock.pending === 0) return resolve();
          if (Date.now() - started > RUN_TIMEOUT_MS) {
            return reject(new Error(`RealTimeClock still has ${clock.pending} pending events after ${RUN_TIMEOUT_MS} ms`));
          }
          setTimeout(poll, 1);
        };
        setImmediate(poll);
      }),
    tolerance: TOLERANCE,
    close: () => clock.close(),
  };
});

// Beyond the shared suite: the driver's own duties.

test('RealTimeClock: a timer earlier than the armed one re-arms the host timer', async () => {
  const clock = new RealTimeClock();
  try {
    const late = clock.schedule(500 * MS, () => assert.fail('late timer fired'));
    const firedAt = await new Promise<number>((resolve) => clock.schedule(2 * MS, () => resolve(clock.now())));
    // Had the driver kept its 500 ms wake-up, the 2 ms timer would have fired at 500 ms.
    assert.ok(firedAt < 2 * MS + TOLERANCE, `2 ms timer fired at ${firedAt / MS} ms`);
    clock.cancel(late);
  } finally {
    clock.close();
  }
});

test('RealTimeClock: close() drops pending events, which never fire', async () => {
  const clock = new RealTimeClock();
  let fired = 0;
  clock.schedule(1 * MS, () => fired++);
  clock.schedule(0, () => fired++);
  assert.equal(clock.pending, 2);
  clock.close();
  assert.equal(clock.pending, 0);
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(fired, 0);
});
