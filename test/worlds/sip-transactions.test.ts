// RFC 3261 transactions between two nodes in every world (test/worlds/world.ts): the messages go
// through the world's transport as wire bytes and are parsed at the far end, so transactions can
// only match by value — the top Via's branch and sent-by, and the method (§17.1.3, §17.2.3). Timers
// are scaled down (T1 = 30 ms) so a real-time world runs the same case in a fraction of a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MS, type Ns } from '../../sim/kernel/time.ts';
import type { Message } from '../../sim/net/message.ts';
import { NO_SIGNALS } from '../../sim/net/signals.ts';
import { Node } from '../../sim/node/node.ts';
import { ZERO_COST } from '../../sim/node/capacity.ts';
import { receiveSip } from '../../sim/sip/receive.ts';
import { createResponse } from '../../sim/sip/response.ts';
import { SipMessage } from '../../sim/sip/message.ts';
import { sipTimers } from '../../sim/sip/timers.ts';
import { TransactionLayer } from '../../sim/sip/transaction-layer.ts';
import { cseqValue, fromToValue, viaValue } from '../../sim/sip/headers.ts';
import { RawSip } from '../../sim/ims/raw-sip.ts';
import { WORLDS, type OpenWorld } from './world.ts';

const TIMERS = sipTimers({ T1: 30 * MS, T2: 120 * MS, T4: 150 * MS, D: 300 * MS });
const DELAY = 10 * MS;

/** A SIP endpoint on the node base: a transaction layer on the node's clock, bytes in and out. */
class Endpoint extends Node {
  layer!: TransactionLayer;
  readonly log: { t: Ns; what: string }[] = [];
  /** Received messages of these kinds are lost the first time (loss at the receiver, in every world). */
  loseFirst = new Set<string>();
  requests = 0;
  protected override onStart(): void {
    this.layer = new TransactionLayer(
      this.clock,
      (m, to) => {
        this.log.push({ t: this.now(), what: `sent ${m.kind}` });
        this.send(to, new RawSip(Buffer.from(m.wire()))); // SIP text on the wire, as a socket carries it
      },
      {
        onRequest: (req, _from, tx) => {
          this.requests++;
          this.log.push({ t: this.now(), what: `request ${req.method}` });
          tx?.respond(createResponse(req, 200, { toTag: 'uas' }));
        },
      },
      { reliable: false, timers: TIMERS },
    );
  }
  protected override handleMessage(msg: Message, from: number): void {
    const rec = receiveSip((msg as RawSip).data, { role: 'registrar' });
    if (rec.kind !== 'accept') return;
    const m = rec.parsed.msg;
    if (this.loseFirst.delete(m.kind)) {
      this.log.push({ t: this.now(), what: `lost ${m.kind}` });
      return;
    }
    this.layer.receive(m, from);
  }
  register(to: number, branch: string): void {
    const req = SipMessage.request('REGISTER', 'sip:example.com', [
      ['Via', viaValue({ host: this.id, port: 5060, branch })],
      ['Max-Forwards', '70'],
      ['From', fromToValue('sip:alice@example.com', 'a1')],
      ['To', fromToValue('sip:alice@example.com')],
      ['Call-ID', `reg-${branch}@${this.id}`],
      ['CSeq', cseqValue(1, 'REGISTER')],
      ['Contact', '<sip:alice@10.0.0.1:5060>'],
      ['Expires', '600'],
    ]);
    this.layer.sendRequest(req, to, {
      onResponse: (r) => this.log.push({ t: this.now(), what: `final ${r.status}` }),
      onTimeout: () => this.log.push({ t: this.now(), what: 'timeout' }),
    });
  }
}

interface Pair {
  w: OpenWorld;
  uac: Endpoint;
  uas: Endpoint;
  t0: Ns;
  /** A node that never starts: it refuses everything ('node-down'), so nothing ever answers. */
  deaf: Endpoint;
}

/** Runs `body` on a UAC and a UAS 10 ms apart in a fresh world, closed afterwards. */
async function withPair(world: (typeof WORLDS)[number], body: (p: Pair) => Promise<void>): Promise<void> {
  const w = await world.open({ link: { delay: DELAY } });
  try {
    const ctx = { ...w.ports, signals: NO_SIGNALS, capacity: { workers: 1, queueLimit: Infinity, defaultCost: ZERO_COST, byKind: {} } };
    const uac = new Endpoint('uac', ctx);
    const uas = new Endpoint('uas', ctx);
    const deaf = new Endpoint('deaf', ctx);
    uac.start();
    uas.start();
    await body({ w, uac, uas, deaf, t0: w.ports.clock.now() });
  } finally {
    await w.close();
  }
}

const at = (log: { t: Ns; what: string }[], t0: Ns) => log.map((e) => `${Math.round((e.t - t0) / MS)}ms ${e.what}`);

for (const world of WORLDS) {
  test(`${world.name}: a lost REGISTER is retransmitted at T1 and the retransmission creates the server transaction`, async () => {
    await withPair(world, async ({ w, uac, uas, t0 }) => {
      uas.loseFirst.add('REGISTER');
      uac.register(uas.index, 'z9hG4bK-lost-request');
      await w.run(t0 + 200 * MS);
      if (w.tolerance === 0) {
        assert.deepEqual(at(uac.log, t0), ['0ms sent REGISTER', '30ms sent REGISTER', '50ms final 200']);
        assert.deepEqual(at(uas.log, t0), ['10ms lost REGISTER', '40ms request REGISTER', '40ms sent 200 REGISTER']);
      }
      assert.deepEqual(uac.log.map((e) => e.what), ['sent REGISTER', 'sent REGISTER', 'final 200']);
      assert.equal(uas.requests, 1);
    });
  });

  test(`${world.name}: a retransmitted REGISTER after the 200 was lost is absorbed by the server transaction (matched by branch and sent-by), which resends the 200`, async () => {
    await withPair(world, async ({ w, uac, uas, t0 }) => {
      uac.loseFirst.add('200 REGISTER');
      uac.register(uas.index, 'z9hG4bK-lost-answer');
      await w.run(t0 + 200 * MS);
      if (w.tolerance === 0) {
        assert.deepEqual(at(uac.log, t0), ['0ms sent REGISTER', '20ms lost 200 REGISTER', '30ms sent REGISTER', '50ms final 200']);
        assert.deepEqual(at(uas.log, t0), ['10ms request REGISTER', '10ms sent 200 REGISTER', '40ms sent 200 REGISTER']);
      }
      assert.equal(uas.requests, 1, 'the retransmission did not reach the TU again');
      assert.deepEqual(uas.log.map((e) => e.what), ['request REGISTER', 'sent 200 REGISTER', 'sent 200 REGISTER']);
      assert.deepEqual(uac.log.filter((e) => e.what.startsWith('final')).map((e) => e.what), ['final 200']);
    });
  });

  test(`${world.name}: a REGISTER never answered times out with Timer F = 64·T1`, async () => {
    await withPair(world, async ({ w, uac, deaf, t0 }) => {
      uac.register(deaf.index, 'z9hG4bK-unanswered');
      await w.run(t0 + 64 * 30 * MS + 200 * MS);
      const timeout = uac.log.find((e) => e.what === 'timeout');
      assert.ok(timeout, 'Timer F fired');
      assert.ok(Math.abs(timeout.t - t0 - 64 * 30 * MS) <= w.tolerance, `at ${(timeout.t - t0) / MS} ms`);
      // Timer E (§17.1.2.2): gaps of T1, 2·T1, then T2 = 120 ms, until Timer F at 1920 ms.
      const expected = [0, 30, 90];
      for (let s = 210; s < 64 * 30; s += 120) expected.push(s);
      const sends = uac.log.filter((e) => e.what === 'sent REGISTER').map((e) => e.t - t0);
      assert.equal(sends.length, expected.length);
      sends.forEach((s, i) => assert.ok(Math.abs(s - expected[i] * MS) <= w.tolerance, `send ${i} at ${s / MS} ms, expected ${expected[i]}`));
    });
  });
}
