/**
 * A flood from an external SIP client meets the node's queue limit and the node keeps serving
 * (issue 12, Security): the excess is answered 503 with Retry-After (RFC 3261 §21.5.4, §20.33), and
 * a fresh REGISTER after the flood — from a client behaving as RFC 3261 says (Timer E
 * retransmissions over UDP, a new attempt after Retry-After) — gets its 200 within a bound.
 *
 * The bound (30 s: 20 s was exceeded once in a full suite at load ~35) is generous for a loaded CI host and far below what a node that stopped serving
 * would take: before the queue limit admitted answers (ims-node.ts admitsBeyondLimit), the
 * I-CSCF dropped the UAAs and the S-CSCF's 200s of requests it had admitted while the flood kept its
 * queue full, then spent its queue on its own retransmissions whose answers it dropped again; the
 * fresh REGISTER got nothing for the whole run. (The HTTP side: emulate-http.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runEmulation } from '../../sim/emulate/emulate.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';

const FILE = join(fileURLToPath(new URL('../..', import.meta.url)), 'scenarios/emulate/ims-core-external-clients.yaml');
const FLOOD = 300;
/** How long the fresh REGISTER may take to get its 200 after the flood (measured and printed). */
const SERVE_BOUND_MS = 30_000;
/** RFC 3261 §17.1.2.2: Timer E starts at T1 and doubles up to T2. */
const T1 = 500;
const T2 = 4000;

test('a SIP flood from an external client meets the I-CSCF’s queue limit (503 with Retry-After) and the core keeps serving: a fresh REGISTER after it gets its 200', async (t) => {
  // The MSC's REGISTERs of subscribers 4 (the flood) and 5 (the fresh one), as the model writes them.
  const sim = await runScenario(
    loadScenarioFile(FILE, { set: ['duration=5s', 'workload=[{"target":"msc","event":"attach","subscribers":{"from":4,"count":2},"pattern":{"kind":"all-at-once","at":"0s"}}]'] }),
  );
  const registerOf = (sub: number) => sim.trace.find((r) => r.event === 'delivered' && r.kind === 'REGISTER' && r.from === 'msc' && r.subscribers.includes(sub))!.wire;
  const flood = registerOf(4);
  const fresh = registerOf(5);
  assert.notEqual(flood, fresh);
  const attempt = (text: string, name: string) => text.replace(/branch=z9hG4bK[0-9a-f]+/, `branch=z9hG4bK-${name}`).replace(/^Call-ID: .*$/m, `Call-ID: ${name}@127.0.0.1`);

  const client = dgram.createSocket('udp4');
  await new Promise<void>((res) => client.bind(0, '127.0.0.1', () => res()));
  const got: string[] = [];
  /** Final answers to the fresh REGISTER's attempts, by Call-ID. */
  const waiting = new Map<string, (answer: string) => void>();
  client.on('message', (m) => {
    const s = m.toString('utf8');
    got.push(s);
    const callId = /^Call-ID: (\S+)@/m.exec(s)?.[1];
    if (callId !== undefined && /^SIP\/2\.0 [2-6]/.test(s)) waiting.get(callId)?.(s);
  });

  const stop = new AbortController();
  let served: Promise<{ status: number; ms: number; attempts: string[] }> | undefined;
  const run = runEmulation(
    loadScenarioFile(FILE, {
      set: ['duration=40s', `emulate.nodes.msc.external.address=127.0.0.1:${client.address().port}`, 'nodes[1].queueLimit=5', 'nodes[1].costs.default.perMessage=2ms'],
    }),
    {
      signal: stop.signal,
      onStarted: (eps) => {
        const icscf = Number(/:(\d+);transport=udp/.exec(eps.find((e) => e.node === 'icscf' && e.url.endsWith('udp'))!.url)![1]);
        const send = (text: string) => client.send(text, icscf, '127.0.0.1');
        served = (async () => {
          for (let i = 0; i < FLOOD; i++) send(attempt(flood, `flood-${i}`));
          const t0 = performance.now();
          // After the flood: once every flood request has its final answer, or nothing came for 1 s.
          for (let quiet = 0, seen = -1; quiet < 1000 && got.length < FLOOD && performance.now() - t0 < SERVE_BOUND_MS; quiet = got.length === seen ? quiet + 50 : 0) {
            seen = got.length;
            await new Promise((res) => setTimeout(res, 50));
          }
          // The fresh REGISTER, until its 200: each attempt retransmitted on Timer E until a final
          // answer; after a 503 (or another failure) a new attempt once Retry-After has passed.
          const attempts: string[] = [];
          for (let n = 0; performance.now() - t0 < SERVE_BOUND_MS; n++) {
            const name = `fresh-${n}`;
            const text = attempt(fresh, name);
            const answer = new Promise<string>((res) => waiting.set(name, res));
            let timerE = T1;
            let final: string | undefined;
            answer.then((a) => (final = a));
            send(text);
            while (final === undefined && performance.now() - t0 < SERVE_BOUND_MS) {
              await Promise.race([answer, new Promise((res) => setTimeout(res, timerE))]);
              if (final === undefined) send(text);
              timerE = Math.min(2 * timerE, T2);
            }
            if (final === undefined) break;
            const status = Number(final.slice(8, 11));
            attempts.push(`${status} at ${Math.round(performance.now() - t0)} ms`);
            if (status === 200) return { status, ms: performance.now() - t0, attempts };
            const retryAfter = Number(/^Retry-After: (\d+)/m.exec(final)?.[1] ?? 1);
            await new Promise((res) => setTimeout(res, retryAfter * 1000));
          }
          return { status: 0, ms: performance.now() - t0, attempts };
        })().finally(() => stop.abort());
      },
    },
  );
  const r = await run;
  const fresh200 = await served!;
  client.close();

  const overloads = got.filter((g) => g.startsWith('SIP/2.0 503 '));
  assert.ok(overloads.length > 0, `the flood met the queue limit (answers: ${[...new Set(got.map((g) => g.slice(0, 11)))].join(', ')})`);
  for (const o of overloads) assert.match(o, /\r\nRetry-After: \d+\r\n/);
  t.diagnostic(`fresh REGISTER after a flood of ${FLOOD}: ${fresh200.status === 200 ? `200 OK ${Math.round(fresh200.ms)} ms after the flood` : 'no 200'} (attempts: ${fresh200.attempts.join(', ') || 'none answered'}; bound ${SERVE_BOUND_MS} ms; lateness p99 ${r.lateness.p99Ms} ms)`);
  assert.equal(fresh200.status, 200, `the core kept serving: a fresh REGISTER got its 200 within ${SERVE_BOUND_MS} ms of the flood (attempts: ${fresh200.attempts.join(', ') || 'none answered'})`);
  assert.ok(fresh200.ms < SERVE_BOUND_MS);
  // Answers the I-CSCF admitted beyond its limit were served, not dropped: nothing was lost to overload.
  assert.equal(r.summary.messages.byReason.overload ?? 0, 0, JSON.stringify(r.summary.messages));
});
