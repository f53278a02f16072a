import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulator } from '../../sim/kernel/simulator.ts';
import { MS, SECOND, type Ns } from '../../sim/kernel/time.ts';
import { SipMessage } from '../../sim/sip/message.ts';
import { createResponse } from '../../sim/sip/response.ts';
import { DEFAULT_SIP_TIMERS, sipTimers } from '../../sim/sip/timers.ts';
import { TxState, requestTimeoutResponse, type ClientTransaction, type ClientTransactionUser, type Transaction, type TransactionEnv } from '../../sim/sip/transaction.ts';
import { NonInviteClientTransaction } from '../../sim/sip/non-invite-client-transaction.ts';
import { NonInviteServerTransaction } from '../../sim/sip/non-invite-server-transaction.ts';
import { InviteClientTransaction } from '../../sim/sip/invite-client-transaction.ts';
import { InviteServerTransaction } from '../../sim/sip/invite-server-transaction.ts';
import { TransactionLayer, type TransactionLayerUser } from '../../sim/sip/transaction-layer.ts';
import type { ServerTransaction } from '../../sim/sip/transaction.ts';
import { cseqValue, fromToValue, SipIds, viaValue } from '../../sim/sip/headers.ts';

const ids = new SipIds('t');

/** Advances virtual time to `t` exactly (run() alone stops at the last event when the queue empties). */
function runTo(sim: Simulator, t: Ns): void {
  sim.schedule(t - sim.now(), () => {});
  sim.run(t);
}

function request(method: string, branch = ids.branch(), seq = 1): SipMessage {
  return SipMessage.request(method, 'sip:ics.mnc015.mcc234.3gppnetwork.org', [
    ['Via', viaValue({ host: 'msc.example.net', port: 5060, branch })],
    ['Max-Forwards', '70'],
    ['From', fromToValue('sip:234150999999999@ics.mnc015.mcc234.3gppnetwork.org', 'f1')],
    ['To', fromToValue('sip:234150999999999@ics.mnc015.mcc234.3gppnetwork.org')],
    ['Call-ID', 'call-1@msc.example.net'],
    ['CSeq', cseqValue(seq, method)],
  ]);
}

/** A TransactionEnv on a Simulator that records what went on the wire. */
class Env implements TransactionEnv {
  readonly timers = DEFAULT_SIP_TIMERS;
  readonly sent: { t: Ns; msg: SipMessage; dest: number }[] = [];
  readonly ended: Transaction[] = [];
  constructor(readonly clock: Simulator) {}
  send(msg: SipMessage, dest: number): void {
    this.sent.push({ t: this.clock.now(), msg, dest });
  }
  terminated(tx: Transaction): void {
    this.ended.push(tx);
  }
}

/** A simulator, a recording environment on it, and a recording client TU: what each test starts from. */
function world(): { sim: Simulator; env: Env; tu: Tu } {
  const sim = new Simulator();
  return { sim, env: new Env(sim), tu: new Tu(sim) };
}

/** A non-INVITE client transaction for a new `method` request to `dest`, started in a fresh world(). */
function startedNonInviteClient(method: string, dest: number, reliable: boolean) {
  const w = world();
  const req = request(method);
  const tx = new NonInviteClientTransaction(w.env, req, dest, reliable, w.tu);
  tx.start();
  return { ...w, req, tx };
}

class Tu implements ClientTransactionUser {
  responses: { t: Ns; status: number }[] = [];
  timeouts: Ns[] = [];
  terminatedAt: Ns[] = [];
  constructor(readonly clock: Simulator) {}
  onResponse(r: SipMessage): void {
    this.responses.push({ t: this.clock.now(), status: r.status });
  }
  onTimeout(): void {
    this.timeouts.push(this.clock.now());
  }
  onTerminated(): void {
    this.terminatedAt.push(this.clock.now());
  }
}

test('non-INVITE client on UDP: Timer E at 500, 1000, 2000, 4000, 4000… ms until Timer F at 32 s, onTimeout once', () => {
  const { sim, env, tu, req, tx } = startedNonInviteClient('REGISTER', 7, false);
  sim.run();
  const times = env.sent.map((s) => s.t / MS);
  // first send at 0, then gaps 500, 1000, 2000, 4000, 4000, … while below 32 s
  const expected = [0];
  let t = 0;
  let gap = 500;
  while (t + gap < 32_000) {
    t += gap;
    expected.push(t);
    gap = Math.min(2 * gap, 4000);
  }
  assert.deepEqual(times, expected);
  assert.deepEqual(times.slice(0, 6), [0, 500, 1500, 3500, 7500, 11500]);
  assert.equal(tx.retransmissions, expected.length - 1);
  assert.ok(env.sent.every((s) => s.msg === req && s.dest === 7), 'retransmissions resend the same object to the same peer');
  assert.deepEqual(tu.timeouts, [32 * SECOND]);
  assert.deepEqual(tu.responses, []);
  assert.equal(tx.state, TxState.Terminated);
  assert.deepEqual(env.ended, [tx]);
  assert.deepEqual(tu.terminatedAt, [32 * SECOND]);
  const r408 = requestTimeoutResponse(tx);
  assert.equal(r408.kind, '408 REGISTER');
  assert.equal(r408.branch, req.branch);
});

test('non-INVITE client on a reliable transport: no retransmission, Timer F still ends it', () => {
  const { sim, env, tu } = world();
  const tx = new NonInviteClientTransaction(env, request('REGISTER'), 1, true, tu);
  tx.start();
  sim.run();
  assert.equal(env.sent.length, 1);
  assert.deepEqual(tu.timeouts, [32 * SECOND]);
});

test('a final response stops retransmission; Timer K (T4 on UDP) absorbs late responses, then terminates', () => {
  const { sim, env, tu, req, tx } = startedNonInviteClient('REGISTER', 1, false);
  const ok = createResponse(req, 200, { toTag: 'x' });
  runTo(sim, 1200 * MS); // sends at 0 and 500
  tx.receiveResponse(createResponse(req, 100));
  assert.equal(tx.state, TxState.Proceeding);
  runTo(sim, 1300 * MS);
  tx.receiveResponse(ok);
  assert.equal(tx.state, TxState.Completed);
  runTo(sim, 2000 * MS);
  tx.receiveResponse(ok); // retransmitted 200: absorbed
  sim.run();
  assert.deepEqual(
    env.sent.map((s) => s.t / MS),
    [0, 500],
  );
  assert.deepEqual(tu.responses, [
    { t: 1200 * MS, status: 100 },
    { t: 1300 * MS, status: 200 },
  ]);
  assert.deepEqual(tu.timeouts, []);
  assert.deepEqual(tu.terminatedAt, [1300 * MS + 5 * SECOND], 'Timer K = T4 = 5 s');
});

test('in Proceeding, Timer E retransmits every T2', () => {
  const { sim, env, tu, req, tx } = startedNonInviteClient('SUBSCRIBE', 1, false);
  runTo(sim, 100 * MS);
  tx.receiveResponse(createResponse(req, 100));
  runTo(sim, 12_000 * MS);
  // 0 (first), 500 (E in Proceeding → next after T2), 4500, 8500
  assert.deepEqual(env.sent.map((s) => s.t / MS), [0, 500, 4500, 8500]);
});

test('reliable transport: Timer K = 0, the transaction ends with the final response', () => {
  const { sim, env, tu, req, tx } = startedNonInviteClient('REGISTER', 1, true);
  runTo(sim, 10 * MS);
  tx.receiveResponse(createResponse(req, 200, { toTag: 'x' }));
  assert.equal(tx.state, TxState.Terminated);
  assert.deepEqual(tu.terminatedAt, [10 * MS]);
  assert.equal(sim.pending, 0, 'no timer left behind');
});

test('non-INVITE server: absorbs retransmissions in Trying, resends the last response after, Timer J = 64·T1 on UDP', () => {
  const { sim, env } = world();
  const req = request('REGISTER');
  let terminated = 0;
  const tx = new NonInviteServerTransaction(env, req, 3, false, { onServerTerminated: () => terminated++ });
  tx.receiveRequest(req); // Trying: discarded
  assert.equal(env.sent.length, 0);
  const trying = createResponse(req, 100);
  tx.respond(trying);
  tx.receiveRequest(req); // Proceeding: resend 100
  const ok = createResponse(req, 200, { toTag: 'x' });
  runTo(sim, 1 * SECOND);
  tx.respond(ok);
  tx.respond(createResponse(req, 500)); // Completed: other finals discarded
  runTo(sim, 2 * SECOND);
  tx.receiveRequest(req); // Completed: resend 200
  sim.run();
  assert.deepEqual(
    env.sent.map((s) => [s.t / MS, s.msg.status, s.dest]),
    [
      [0, 100, 3],
      [0, 100, 3],
      [1000, 200, 3],
      [2000, 200, 3],
    ],
  );
  assert.ok(env.sent[3].msg === ok, 'the retransmitted response is the same object');
  assert.equal(tx.retransmissionsAbsorbed, 3);
  assert.equal(terminated, 1);
  assert.equal(sim.now(), 1 * SECOND + 32 * SECOND, 'Timer J = 64·T1 after the final response');
});

test('INVITE client on UDP: Timer A doubles without cap, Timer B at 64·T1 reports a timeout', () => {
  const { sim, env, tu } = world();
  const tx = new InviteClientTransaction(env, request('INVITE'), 1, false, tu);
  tx.start();
  sim.run();
  assert.deepEqual(env.sent.map((s) => s.t / MS), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  assert.deepEqual(tu.timeouts, [32 * SECOND]);
});

test('INVITE client: a non-2xx final response is ACKed by the transaction (same branch, CSeq ACK), re-ACKed on retransmission, Timer D 32 s', () => {
  const { sim, env, tu } = world();
  const inv = request('INVITE', ids.branch(), 5);
  const tx = new InviteClientTransaction(env, inv, 1, false, tu);
  tx.start();
  runTo(sim, 100 * MS);
  const busy = createResponse(inv, 486, { toTag: 'callee' });
  tx.receiveResponse(busy);
  runTo(sim, 200 * MS);
  tx.receiveResponse(busy);
  sim.run();
  const acks = env.sent.filter((s) => s.msg.method === 'ACK');
  assert.equal(acks.length, 2);
  assert.ok(acks[0].msg === acks[1].msg);
  const ack = acks[0].msg;
  assert.equal(ack.branch, inv.branch);
  assert.equal(ack.header('cseq'), '5 ACK');
  assert.equal(ack.header('to'), busy.header('to'));
  assert.equal(ack.requestUri, inv.requestUri);
  assert.deepEqual(tu.responses.map((r) => r.status), [486], 'the retransmission is not passed up');
  assert.equal(sim.now(), 100 * MS + 32 * SECOND, 'Timer D = 32 s');
});

test('INVITE client: 2xx goes to Accepted (RFC 6026), 2xx retransmissions reach the TU until Timer M', () => {
  const { sim, env, tu } = world();
  const inv = request('INVITE');
  const tx = new InviteClientTransaction(env, inv, 1, false, tu);
  tx.start();
  runTo(sim, 100 * MS);
  const ok = createResponse(inv, 200, { toTag: 'callee' });
  tx.receiveResponse(ok);
  assert.equal(tx.state, TxState.Accepted);
  runTo(sim, 600 * MS);
  tx.receiveResponse(ok);
  sim.run();
  assert.deepEqual(tu.responses.map((r) => r.status), [200, 200]);
  assert.equal(env.sent.length, 1, 'no INVITE retransmission after the 2xx, no ACK from the transaction');
  assert.deepEqual(tu.terminatedAt, [100 * MS + 32 * SECOND]);
});

test('INVITE server: 100 Trying after 200 ms, non-2xx retransmitted by Timer G until the ACK, Timer I = T4', () => {
  const { sim, env } = world();
  const inv = request('INVITE');
  const tx = new InviteServerTransaction(env, inv, 2, false, {});
  runTo(sim, 1 * SECOND);
  assert.deepEqual(env.sent.map((s) => [s.t / MS, s.msg.status]), [[200, 100]]);
  tx.respond(createResponse(inv, 486, { toTag: 'b' }));
  runTo(sim, 1 * SECOND + 1600 * MS); // G at +500, +1500
  const ack = SipMessage.request('ACK', inv.requestUri, [['Via', inv.header('via')!], ['CSeq', '1 ACK']]);
  tx.receiveRequest(ack);
  assert.equal(tx.state, TxState.Confirmed);
  sim.run();
  assert.deepEqual(env.sent.map((s) => [s.t / MS, s.msg.status]), [
    [200, 100],
    [1000, 486],
    [1500, 486],
    [2500, 486],
  ]);
  assert.equal(tx.state, TxState.Terminated);
  assert.equal(sim.now(), 2600 * MS + 5 * SECOND);
});

test('INVITE server: Timer H reports a missing ACK', () => {
  const { sim, env } = world();
  const inv = request('INVITE');
  let timeouts = 0;
  const tx = new InviteServerTransaction(env, inv, 2, true, { onAckTimeout: () => timeouts++ }, false);
  tx.respond(createResponse(inv, 404, { toTag: 'b' }));
  sim.run();
  assert.equal(timeouts, 1);
  assert.equal(sim.now(), 32 * SECOND);
  assert.equal(env.sent.length, 1, 'no Timer G on a reliable transport');
});

/** Two layers wired back to back through a Simulator with a one-way delay (and optional loss of chosen sends). */
function pair(opts: { delay?: Ns; reliable?: boolean; drop?: (msg: SipMessage, n: number) => boolean } = {}) {
  const sim = new Simulator();
  const delay = opts.delay ?? 10 * MS;
  const log: { t: Ns; from: string; kind: string }[] = [];
  let n = 0;
  const layers: TransactionLayer[] = [];
  const mk = (name: string, index: number, user: TransactionLayerUser) =>
    new TransactionLayer(
      sim,
      (msg, dest) => {
        const k = n++;
        log.push({ t: sim.now(), from: name, kind: msg.kind });
        if (opts.drop?.(msg, k)) return;
        sim.schedule(delay, () => layers[dest].receive(msg, index));
      },
      user,
      { reliable: opts.reliable ?? false },
    );
  return { sim, log, layers, mk };
}

test('TransactionLayer: REGISTER → 200 end to end; request retransmissions absorbed, response matched by branch + CSeq method', () => {
  let responded = 0;
  const { sim, log, layers, mk } = pair({ delay: 300 * MS });
  const serverUser: TransactionLayerUser = {
    onRequest(req, _from, tx) {
      responded++;
      // answer after 1 s: the client retransmits meanwhile (at 500 ms)
      sim.schedule(1 * SECOND, () => tx!.respond(createResponse(req, 200, { toTag: 's' })));
    },
  };
  const clientTu = new Tu(sim);
  layers.push(mk('client', 0, { onRequest() {} }), mk('server', 1, serverUser));
  const tx = layers[0].sendRequest(request('REGISTER'), 1, clientTu, { sub: 42 });
  assert.deepEqual(tx.context, { sub: 42 });
  assert.equal(layers[0].clientCount, 1);
  sim.run();
  assert.equal(responded, 1, 'the server TU saw the REGISTER once');
  assert.deepEqual(clientTu.responses.map((r) => r.status), [200]);
  assert.deepEqual(clientTu.timeouts, []);
  assert.deepEqual(
    log.map((l) => [l.t / MS, l.from, l.kind]),
    [
      [0, 'client', 'REGISTER'],
      [500, 'client', 'REGISTER'], // arrives at 800 while the server is in Trying: absorbed silently
      [1300, 'server', '200 REGISTER'],
      [1500, 'client', 'REGISTER'], // crosses the 200 (received at 1600)
      [1800, 'server', '200 REGISTER'], // Completed: the server transaction resends its 200
    ],
  );
  assert.deepEqual(clientTu.responses.map((r) => r.t / MS), [1600], 'the resent 200 (arriving at 2100) is absorbed by Completed');
  assert.equal(layers[0].clientCount, 0);
  assert.equal(layers[1].serverCount, 0);
});

test('TransactionLayer: a lost 200 is recovered by the server resending it on the retransmitted request', () => {
  const { sim, log, layers, mk } = pair({ delay: 10 * MS, drop: (m, k) => m.status === 200 && k === 1 });
  const clientTu = new Tu(sim);
  layers.push(
    mk('client', 0, { onRequest() {} }),
    mk('server', 1, { onRequest: (req, _f, tx) => tx!.respond(createResponse(req, 200, { toTag: 's' })) }),
  );
  layers[0].sendRequest(request('REGISTER'), 1, clientTu);
  sim.run();
  assert.deepEqual(clientTu.responses.map((r) => [r.t / MS, r.status]), [[520, 200]]);
  assert.deepEqual(log.map((l) => [l.t / MS, l.kind]), [
    [0, 'REGISTER'],
    [10, '200 REGISTER'], // lost
    [500, 'REGISTER'],
    [510, '200 REGISTER'], // resent by the server transaction
  ]);
});

test('TransactionLayer: INVITE → 200 → ACK → BYE → 200 dialog; the ACK stops the 2xx retransmission', () => {
  const { sim, log, layers, mk } = pair({ delay: 10 * MS });
  const requests: string[] = [];
  const serverUser: TransactionLayerUser = {
    onRequest(req, _from, tx) {
      requests.push(req.method);
      if (tx) tx.respond(createResponse(req, 200, { toTag: 's' }));
    },
  };
  const acked: string[] = [];
  const clientTu: ClientTransactionUser = {
    onResponse(resp, tx) {
      acked.push(resp.kind);
      if (resp.method === 'INVITE' && resp.status === 200) {
        const inv = tx.request;
        const ack = SipMessage.request('ACK', inv.requestUri, [
          ['Via', viaValue({ host: 'msc.example.net', branch: ids.branch() })],
          ['Max-Forwards', '70'],
          ['From', inv.header('from')!],
          ['To', resp.header('to')!],
          ['Call-ID', inv.header('call-id')!],
          ['CSeq', '1 ACK'],
        ]);
        layers[0].sendAck(ack, 1);
        sim.schedule(1 * SECOND, () => layers[0].sendRequest(request('BYE', ids.branch(), 2), 1, clientTu));
      }
    },
    onTimeout() {
      assert.fail('no timeout expected');
    },
  };
  layers.push(mk('client', 0, { onRequest() {} }), mk('server', 1, serverUser));
  layers[0].sendRequest(request('INVITE', ids.branch(), 1), 1, clientTu);
  sim.run();
  assert.deepEqual(requests, ['INVITE', 'ACK', 'BYE']);
  assert.deepEqual(acked, ['200 INVITE', '200 BYE']);
  assert.deepEqual(log.map((l) => [l.t / MS, l.kind]), [
    [0, 'INVITE'],
    [10, '200 INVITE'],
    [20, 'ACK'],
    [1020, 'BYE'],
    [1030, '200 BYE'],
  ]);
  assert.equal(layers[0].clientCount + layers[0].serverCount + layers[1].clientCount + layers[1].serverCount, 0);
});

test('TransactionLayer: a response with no transaction goes to onStrayResponse; clear() forgets everything', () => {
  const sim = new Simulator();
  const strays: number[] = [];
  const layer = new TransactionLayer(sim, () => {}, { onRequest() {}, onStrayResponse: (r) => strays.push(r.status) });
  const req = request('REGISTER');
  assert.equal(layer.receive(createResponse(req, 200), 1), 'stray');
  assert.deepEqual(strays, [200]);
  layer.sendRequest(req, 1, new Tu(sim));
  assert.throws(() => layer.sendRequest(req, 1, new Tu(sim)), /already in flight/);
  assert.equal(layer.receive(request('OPTIONS'), 2), 'request');
  assert.equal(layer.clientCount, 1);
  assert.equal(layer.serverCount, 1);
  layer.clear();
  assert.equal(layer.clientCount + layer.serverCount, 0);
});

test('TransactionLayer: CANCEL is its own transaction and finds its INVITE', () => {
  const sim = new Simulator();
  const seen: [string, ServerTransaction | undefined][] = [];
  const layer = new TransactionLayer(sim, () => {}, { onRequest: (r, _f, tx) => seen.push([r.method, tx]) }, { autoTrying: false });
  const branch = ids.branch();
  const inv = request('INVITE', branch);
  const cancel = request('CANCEL', branch);
  assert.equal(layer.receive(inv, 1), 'request');
  assert.equal(layer.receive(cancel, 1), 'request');
  assert.equal(layer.receive(inv, 1), 'absorbed');
  assert.equal(seen.length, 2);
  assert.ok(layer.inviteFor(cancel) === seen[0][1]);
  assert.notEqual(seen[0][1], seen[1][1]);
});

test('sipTimers validates its values and derives from T1', () => {
  assert.throws(() => sipTimers({ T1: 0 }), /T1/);
  assert.throws(() => sipTimers({ T2: 100 * MS }), /T2/);
  assert.throws(() => sipTimers({ T4: 1.5 }), /T4/);
  const t = sipTimers({ T1: 100 * MS });
  const { sim, env } = world();
  (env as { timers: unknown }).timers = t;
  const tu = new Tu(sim);
  new NonInviteClientTransaction(env, request('REGISTER'), 1, false, tu).start();
  sim.run();
  assert.deepEqual(tu.timeouts, [6400 * MS], 'Timer F = 64·T1');
});

void ({} as ClientTransaction);

test('TransactionLayer: the same branch from another sent-by is another transaction (RFC 3261 §17.2.3)', () => {
  const sim = new Simulator();
  const seen: string[] = [];
  const layer = new TransactionLayer(sim, () => {}, { onRequest: (r) => seen.push(r.header('via')!) });
  const a = request('OPTIONS', 'z9hG4bKsame');
  const b = SipMessage.request('OPTIONS', a.requestUri, [['Via', viaValue({ host: 'other.example.net', branch: 'z9hG4bKsame' })], ...a.headers.slice(1)]);
  assert.equal(layer.receive(a, 1), 'request');
  assert.equal(layer.receive(b, 2), 'request');
  assert.equal(layer.receive(b, 2), 'absorbed');
  assert.equal(layer.receive(a, 1), 'absorbed');
  assert.equal(seen.length, 2);
  assert.equal(layer.serverCount, 2);
});

test('TransactionLayer: an RFC 2543 client (no magic cookie) is matched on Call-ID, CSeq, From tag and Via; its ACK reaches the INVITE transaction', () => {
  const sim = new Simulator();
  const sent: SipMessage[] = [];
  const txs: (ServerTransaction | undefined)[] = [];
  const layer = new TransactionLayer(sim, (m) => sent.push(m), { onRequest: (_r, _f, tx) => txs.push(tx) }, { autoTrying: false });
  const hdrs = (method: string, cseq: string): [string, string][] => [
    ['Via', 'SIP/2.0/UDP iftgw.example.com'],
    ['From', '<sip:+13035551111@ift.client.example.net;user=phone>;tag=f1'],
    ['To', 'sip:+16505552222@ss1.example.net;user=phone'],
    ['Call-ID', 'inv2543.1717@ift.client.example.com'],
    ['CSeq', cseq],
  ];
  const inv = SipMessage.request('INVITE', 'sip:UserB@example.com', hdrs('INVITE', '56 INVITE'));
  assert.equal(inv.branch, '');
  assert.equal(layer.receive(inv, 1), 'request');
  assert.equal(layer.receive(inv, 1), 'absorbed');
  txs[0]!.respond(createResponse(inv, 486, { toTag: 'b' }));
  const ack = SipMessage.request('ACK', 'sip:UserB@example.com', hdrs('ACK', '56 ACK'));
  assert.equal(layer.receive(ack, 1), 'absorbed');
  assert.equal(txs[0]!.state, TxState.Confirmed);
});
