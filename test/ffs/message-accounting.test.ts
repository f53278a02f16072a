import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';

/**
 * Issue 11 item 9: a message dropped at a node (overload, node down, crash) was counted both as
 * delivered and as dropped, and traced as delivered then dropped. On every ffs scenario: every
 * network message sent is delivered, dropped or in flight exactly once, and a message refused on
 * arrival is traced as dropped only.
 */
const FFS = resolve(fileURLToPath(new URL('../../scenarios/ffs', import.meta.url)));
const REFUSED_ON_ARRIVAL = new Set(['overload', 'node-down']);

for (const f of readdirSync(FFS).filter((x) => x.endsWith('.yaml')).sort()) {
  test(`ffs/${f}: sent = delivered + dropped + in flight, and a refused message is never traced as delivered`, async () => {
    const sc = loadScenarioFile(join(FFS, f));
    const r = await runScenario(sc);
    const m = r.summary.messages;
    assert.ok(m.sent > 0, 'the scenario sends messages');
    assert.equal(m.delivered + m.dropped + m.inFlight, m.sent, JSON.stringify(m));
    assert.equal(Object.values(m.byReason).reduce((a, b) => a + b, 0), m.dropped, 'every drop has its reason');
    const delivered = new Set<unknown>();
    for (const e of r.entries) if (e.rec.event === 'delivered') delivered.add(e.msg);
    const refused = r.entries.filter((e) => e.rec.event === 'dropped' && REFUSED_ON_ARRIVAL.has(e.rec.reason ?? ''));
    for (const e of refused) assert.ok(!delivered.has(e.msg), `seq ${e.rec.seq}: ${e.rec.kind} to ${e.rec.to} traced as delivered and then dropped (${e.rec.reason})`);
  });
}
