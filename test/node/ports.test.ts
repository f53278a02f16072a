// The simulation world binds the node ports (sim/node/ports.ts) to the Simulator and the
// InProcessNetwork as they are: no adapter objects on the hot paths. This file fails to type-check
// if either stops satisfying its port, and checks the bindings behave as the ports document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Simulator } from '../../sim/kernel/simulator.ts';
import { InProcessNetwork } from '../../sim/net/network.ts';
import { DEFAULT_LINK } from '../../sim/net/link.ts';
import { NO_SIGNALS } from '../../sim/net/signals.ts';
import type { Message } from '../../sim/net/message.ts';
import type { NodePorts, Receiver } from '../../sim/node/ports.ts';

function world(): NodePorts & { sim: Simulator; net: InProcessNetwork } {
  const sim = new Simulator(3);
  const net = new InProcessNetwork(sim, { ...DEFAULT_LINK, delay: 5 }, NO_SIGNALS, sim.stream('net'));
  return { sim, net, clock: sim, transport: net, streams: sim, addresses: net };
}

const msg = (kind: string): Message => ({ proto: 'gen', kind, bytes: 10, entries: 1, sub: -1 });

test('simulation ports: attach gives addresses, the address book maps names both ways, send arrives after the link delay', () => {
  const w = world();
  const got: string[] = [];
  const mk = (id: string): Receiver => ({ id, index: -1, receive: (m, from) => void got.push(`${w.clock.now()} ${w.addresses.nameOf(from)}→${id} ${m.kind}`) });
  const a = mk('a');
  const b = mk('b');
  assert.equal(w.transport.attach(a), 0);
  assert.equal(w.transport.attach(b), 1);
  assert.equal(b.index, 1);
  assert.equal(w.addresses.size, 2);
  assert.equal(w.addresses.indexOf('b'), 1);
  assert.equal(w.addresses.nameOf(0), 'a');
  assert.throws(() => w.addresses.indexOf('nobody'), /unknown node 'nobody'/);
  w.clock.postIn(3, () => w.transport.send(0, 1, msg('hello')));
  w.sim.run();
  assert.deepEqual(got, ['8 a→b hello']);
});

test('simulation ports: a path is a live view of the link (setLink changes what the node sees)', () => {
  const w = world();
  for (const id of ['a', 'b']) w.transport.attach({ id, index: -1, receive() {} });
  const p = w.transport.path(0, 1);
  assert.equal(p.params.transport, 'datagram');
  w.net.setLink('a', 'b', { ...DEFAULT_LINK, transport: 'stream' });
  assert.equal(p.params.transport, 'stream');
  assert.equal(w.transport.path(0, 1), p, 'the same object for the whole run');
});

test('simulation ports: streams are per name and seeded; schedule/cancel/postIn keep (time, order)', () => {
  const w = world();
  const x = w.streams.stream('node/a/x').next();
  assert.equal(world().streams.stream('node/a/x').next(), x, 'same seed + name = same numbers');
  assert.notEqual(w.streams.stream('node/a/y').next(), x);
  const order: string[] = [];
  w.clock.postIn(10, (s: string) => order.push(s), 'post');
  const t = w.clock.schedule(10, (s: string) => order.push(s), 'cancelled');
  w.clock.schedule(10, (s: string) => order.push(s), 'timer');
  w.clock.cancel(t);
  w.sim.run();
  assert.deepEqual(order, ['post', 'timer']);
  assert.equal(w.clock.now(), 10);
});
