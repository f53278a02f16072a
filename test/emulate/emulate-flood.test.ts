/**
 * A flood from an external SIP client meets the node's queue limit (issue 12, Security): the
 * excess is answered 503 with Retry-After (RFC 3261 §21.5.4, §20.33), and the node keeps serving —
 * a REGISTER after the flood is registered. (The HTTP side: emulate-http.test.ts.)
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

test('a SIP flood from an external client meets the I-CSCF’s queue limit: 503 with Retry-After, and the I-CSCF keeps serving', async () => {
  const sim = await runScenario(
    loadScenarioFile(FILE, { set: ['duration=5s', 'workload=[{"target":"msc","event":"attach","subscribers":{"from":4,"count":1},"pattern":{"kind":"all-at-once","at":"0s"}}]'] }),
  );
  const register = sim.trace.find((t) => t.event === 'delivered' && t.kind === 'REGISTER' && t.from === 'msc')!.wire;
  const client = dgram.createSocket('udp4');
  await new Promise<void>((res) => client.bind(0, '127.0.0.1', () => res()));
  const got: string[] = [];
  client.on('message', (m) => got.push(m.toString('utf8')));
  const nth = (n: number) =>
    register.replace(/branch=z9hG4bK[0-9a-f]+/, `branch=z9hG4bK-flood-${n}`).replace(/^Call-ID: .*$/m, `Call-ID: ${n}-4242@127.0.0.1`);
  let flow: Promise<void> | undefined;
  await runEmulation(
    loadScenarioFile(FILE, {
      set: ['duration=3s', `emulate.nodes.msc.external.address=127.0.0.1:${client.address().port}`, 'nodes[1].queueLimit=5', 'nodes[1].costs.default.perMessage=2ms'],
    }),
    {
      onStarted: (eps) => {
        const icscf = Number(/:(\d+);transport=udp/.exec(eps.find((e) => e.node === 'icscf' && e.url.endsWith('udp'))!.url)![1]);
        flow = (async () => {
          for (let i = 0; i < FLOOD; i++) client.send(nth(i), icscf, '127.0.0.1');
          await new Promise((res) => setTimeout(res, 1200));
          client.send(nth(FLOOD), icscf, '127.0.0.1');
          await new Promise((res) => setTimeout(res, 500));
        })();
      },
    },
  );
  try {
    await flow;
  } finally {
    client.close();
  }
  const status = (n: number) => got.filter((g) => g.includes(`Call-ID: ${n}-4242@127.0.0.1`)).map((g) => Number(g.slice(8, 11)));
  const overloads = got.filter((g) => g.startsWith('SIP/2.0 503 '));
  assert.ok(overloads.length > 0, `the flood met the queue limit (answers: ${[...new Set(got.map((g) => g.slice(0, 11)))].join(', ')})`);
  for (const o of overloads) assert.match(o, /\r\nRetry-After: \d+\r\n/);
  assert.ok(got.some((g) => g.startsWith('SIP/2.0 200 ')), 'the requests within the limit were served');
  assert.ok(status(FLOOD).includes(200), `the REGISTER after the flood is registered (got ${status(FLOOD).join(', ')})`);
});
