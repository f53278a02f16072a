import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchFull, closeBatch, decideBulking, DEFAULT_BULKING } from '../../sim/policies/bulk-batching.ts';
import { onEntryFailure, DEFAULT_ENTRY_FAILURE } from '../../sim/policies/bulk-entry-failure.ts';
import { onRequestFailure, DEFAULT_REQUEST_FAILURE } from '../../sim/policies/msgin5g-request-failure.ts';
import { perUeRoundTrip } from '../../sim/policies/msgin5g-authentication.ts';
import { afterBulkAnswered, afterBulkFailed, DEFAULT_ADAPTIVE } from '../../sim/policies/bulk-adaptive.ts';
import { refreshEnabled, DEFAULT_REFRESH } from '../../sim/policies/msgin5g-refresh.ts';
import { survival } from '../../sim/msgin5g/segment-loss.ts';

test('bulking policy: urgent first, then bulking off, then individual retries; batches close full or below minSize', () => {
  const p = { ...DEFAULT_BULKING, maxSize: 10, minSize: 3 };
  assert.equal(decideBulking(p, { urgent: true, individualRetry: false }), 'urgent');
  assert.equal(decideBulking({ ...p, maxSize: 1 }, { urgent: false, individualRetry: false }), 'bulking-off');
  assert.equal(decideBulking({ ...p, maxSize: 1 }, { urgent: true, individualRetry: true }), 'urgent');
  assert.equal(decideBulking(p, { urgent: false, individualRetry: true }), 'retry');
  assert.equal(decideBulking(p, { urgent: false, individualRetry: false }), 'batch');
  assert.equal(batchFull(p, 9), false);
  assert.equal(batchFull(p, 10), true);
  assert.equal(closeBatch(p, 2), 'individual');
  assert.equal(closeBatch(p, 3), 'bulk');
  assert.equal(closeBatch({ ...p, minSize: 1 }, 1), 'individual', 'a bulk of one is never sent');
  // The adaptive limit closes a batch earlier, never later than maxSize.
  assert.equal(batchFull(p, 4, 4), true);
  assert.equal(batchFull(p, 3, 4), false);
  assert.equal(batchFull(p, 10, 50), true, 'a limit above maxSize does not raise it');
});

test('entry failure policy: retries up to maxRetries, only for the listed causes', () => {
  assert.deepEqual(onEntryFailure(DEFAULT_ENTRY_FAILURE, 'AUTHENTICATION_FAILED', 0), { action: 'retry-individually', delay: 1e9 });
  assert.deepEqual(onEntryFailure(DEFAULT_ENTRY_FAILURE, 'AUTHENTICATION_FAILED', 1), { action: 'give-up' });
  const some = { ...DEFAULT_ENTRY_FAILURE, causes: ['SERVER_OVERLOADED'], maxRetries: 5 };
  assert.deepEqual(onEntryFailure(some, 'NOT_AUTHORISED', 0), { action: 'give-up' });
  assert.equal(onEntryFailure(some, 'SERVER_OVERLOADED', 4).action, 'retry-individually');
  assert.equal(onEntryFailure({ ...some, policy: 'retry-in-bulk' }, 'SERVER_OVERLOADED', 0).action, 'retry-in-bulk');
  assert.equal(onEntryFailure({ ...some, policy: 'give-up' }, 'SERVER_OVERLOADED', 0).action, 'give-up');
});

test('request failure policy: backoff, Retry-After as a floor, split on 413, give up on refusals', () => {
  const p = { ...DEFAULT_REQUEST_FAILURE, delay: 100, backoff: 2, maxRetries: 3 };
  assert.deepEqual(onRequestFailure(p, 'timeout', 0, true), { action: 'resend', delay: 100 });
  assert.deepEqual(onRequestFailure(p, 'timeout', 2, true), { action: 'resend', delay: 400 });
  assert.deepEqual(onRequestFailure(p, 'timeout', 3, true), { action: 'give-up' });
  assert.deepEqual(onRequestFailure(p, 'overloaded', 0, false, 5000), { action: 'resend', delay: 5000 });
  assert.deepEqual(onRequestFailure(p, 'too-large', 9, true), { action: 'split' });
  assert.deepEqual(onRequestFailure(p, 'too-large', 0, false), { action: 'give-up' });
  assert.deepEqual(onRequestFailure(p, 'rejected', 0, true), { action: 'give-up' });
  assert.equal(onRequestFailure({ ...p, policy: 'retry-individually' }, 'timeout', 0, true).action, 'retry-individually');
  assert.equal(onRequestFailure({ ...p, policy: 'retry-individually' }, 'timeout', 0, false).action, 'resend', 'an individual request is simply resent');
});

test('authentication policy: only per-ue makes round trips', () => {
  assert.equal(perUeRoundTrip('per-ue'), true);
  assert.equal(perUeRoundTrip('trusted-gateway'), false);
});

test('request failure policy split: a failed bulk splits after the back-off delay (a retry); 413 still splits at once', () => {
  const p = { ...DEFAULT_REQUEST_FAILURE, policy: 'split' as const, delay: 100, backoff: 2, maxRetries: 2 };
  assert.deepEqual(onRequestFailure(p, 'timeout', 0, true), { action: 'split', delay: 100 });
  assert.deepEqual(onRequestFailure(p, 'overloaded', 1, true, 1000), { action: 'split', delay: 1000 }, 'Retry-After is a floor');
  assert.deepEqual(onRequestFailure(p, 'timeout', 2, true), { action: 'give-up' });
  assert.deepEqual(onRequestFailure(p, 'timeout', 0, false), { action: 'resend', delay: 100 }, 'an individual request is resent');
  assert.deepEqual(onRequestFailure(p, 'too-large', 0, true), { action: 'split' }, '413: no delay, not a retry');
});

test('adaptive bulk size: fixed stays at maxSize; aimd adds `increase` per answered bulk and multiplies by `decrease` per failed one, within [floor, maxSize]', () => {
  assert.equal(afterBulkFailed(DEFAULT_ADAPTIVE, 100, 100), 100);
  assert.equal(afterBulkAnswered(DEFAULT_ADAPTIVE, 37, 100), 100);
  const a = { policy: 'aimd' as const, increase: 3, decrease: 0.5, floor: 4 };
  assert.equal(afterBulkFailed(a, 100, 100), 50);
  assert.equal(afterBulkFailed(a, 9, 100), 4, 'floor(4.5) = 4');
  assert.equal(afterBulkFailed(a, 5, 100), 4, 'not below the floor');
  assert.equal(afterBulkFailed(a, 3, 3), 3, 'a floor above maxSize is maxSize');
  assert.equal(afterBulkAnswered(a, 50, 100), 53);
  assert.equal(afterBulkAnswered(a, 99, 100), 100, 'not above maxSize');
  // A run of failures then successes: 100 → 50 → 25 → 12 → 15 → 18.
  let l = 100;
  for (const ok of [false, false, false, true, true]) l = ok ? afterBulkAnswered(a, l, 100) : afterBulkFailed(a, l, 100);
  assert.equal(l, 18);
});

test('refresh policy: off at interval 0', () => {
  assert.equal(refreshEnabled(DEFAULT_REFRESH), false);
  assert.equal(refreshEnabled({ interval: 1 }), true);
});

test('segment loss: a message of k segments survives with (1 − q)^k; off (segment size 0) it is one segment', () => {
  assert.equal(survival(1460, 1460, 0.1), 0.9);
  assert.equal(survival(1461, 1460, 0.1), 0.9 * 0.9);
  assert.ok(Math.abs(survival(14600, 1460, 0.01) - Math.pow(0.99, 10)) < 1e-15);
  assert.equal(survival(100000, 0, 0.1), 0.9);
  assert.equal(survival(0, 1460, 0.1), 0.9, 'even an empty message is one segment');
});
