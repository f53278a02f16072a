import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchFull, closeBatch, decideBulking, DEFAULT_BULKING } from '../../sim/policies/bulk-batching.ts';
import { onEntryFailure, DEFAULT_ENTRY_FAILURE } from '../../sim/policies/bulk-entry-failure.ts';
import { onRequestFailure, DEFAULT_REQUEST_FAILURE } from '../../sim/policies/msgin5g-request-failure.ts';
import { perUeRoundTrip } from '../../sim/policies/msgin5g-authentication.ts';

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
