/**
 * Interop: SIPp (Debian sip-tester) playing the MSC Server enhanced for ICS from the repository's
 * scenario file (test/fixtures/sipp/ics-register-deregister.xml) against the lab's Kamailio
 * registrar, over UDP and TCP: every subscriber registered then deregistered, Kamailio counting
 * each REGISTER it accepted and holding no binding at the end. The same scenario file drives
 * the benchmark (bench/interop-sipp.ts) and the SIPp test against RegLab's own core.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Kamailio, kamStats } from './kamailio.ts';
import { runSipp } from './sipp.ts';

const USERS = 20;

for (const transport of ['u1', 't1'] as const) {
  test(`SIPp's ICS register/deregister scenario against Kamailio over ${transport === 'u1' ? 'UDP' : 'TCP'}: ${USERS} subscribers in, then out`, async () => {
    const kam = await Kamailio.start();
    try {
      const r = await runSipp({ target: `127.0.0.1:${kam.port}`, users: { calls: USERS }, rate: 200, transport, timeoutS: 20 });
      assert.equal(r.code, 0, `SIPp exit code 0 (all calls successful)\n${r.errors}\n${r.log.slice(-1500)}`);
      assert.equal(r.successful, USERS);
      assert.equal(r.failed, 0);
      assert.equal(r.rtt.get('reg')?.length, USERS, 'a response time per registration');
      assert.equal(r.rtt.get('dereg')?.length, USERS, 'a response time per deregistration');
      const reg = await kamStats(kam, 'registrar:');
      assert.equal(reg['registrar:accepted_regs'], 2 * USERS, 'Kamailio accepted every REGISTER (registration and deregistration)');
      assert.equal(reg['registrar:rejected_regs'], 0);
      assert.deepEqual(await kam.ulDump(), [], 'no binding left');
    } finally {
      await kam.stop();
    }
  });
}
