/**
 * The ladder at scale and on bad input, in headless Chromium: filtering an ffs run to one subscriber
 * shows only its messages; a 105,000-message trace (every message drawn on demand, no cap) scrolls to
 * its last message; and a trace with an unknown protocol, malformed wire text, a 10,000-entry bulk,
 * or no messages at all renders with a clear note — never a blank page or a console error.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunEvent, TraceRecord } from '../../sim/server/api-types.ts';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { BIG_MESSAGES, closeHarness, harness, onPage, openPage, ROOT, runScenarioInPage, writeBigScenario } from './browser.ts';

const DIR = mkdtempSync(join(tmpdir(), 'reglab-ladder-scale-'));
mkdirSync(join(DIR, 'ffs'));
mkdirSync(join(DIR, 'learn'));
copyFileSync(join(ROOT, 'scenarios/ffs/ics-cancel-location-race.yaml'), join(DIR, 'ffs/ics-cancel-location-race.yaml'));
writeBigScenario(join(DIR, 'learn/ladder-100k.yaml'));

after(async () => {
  await closeHarness();
  rmSync(DIR, { recursive: true, force: true });
});

describe('ladder at scale and on bad input', () => {
  test('filtering an ffs run to one subscriber shows exactly its messages; a filter matching nothing says so', async () => {
    const { server, browser } = await harness(DIR);
    const direct = await runScenario(loadScenarioFile(join(DIR, 'ffs/ics-cancel-location-race.yaml'), { seed: 3 }));
    const sub = 4;
    const mine = direct.trace.filter((r) => r.subscribers.includes(sub)).map((r) => r.seq);
    assert.ok(mine.length > 5 && mine.length < direct.trace.length);
    await onPage(await openPage(browser, server.url), async (page) => {
      await runScenarioInPage(page, 'ffs/ics-cancel-location-race.yaml', 3);
      await page.getByTestId('filter-subscriber').fill(String(sub));
      const scroll = page.getByTestId('ladder-scroll');
      await page.waitForFunction((n) => document.querySelector('[data-testid="ladder-scroll"]')?.getAttribute('data-rows') === String(n), mine.length);
      assert.match((await page.getByTestId('ladder-count').textContent()) ?? '', new RegExp(`^${mine.length} of ${direct.trace.length} messages match`));
      // Walk the whole filtered ladder: every drawn row is one of the subscriber's messages, in order.
      const seen = new Set<number>();
      for (let top = 0; seen.size < mine.length; top += 300) {
        await scroll.evaluate((el, t) => (el.scrollTop = t), top);
        await page.waitForTimeout(30);
        for (const s of await page.getByTestId('ladder-arrow').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))))) seen.add(s);
        if (top > mine.length * 40) break;
      }
      assert.deepEqual([...seen].sort((a, b) => a - b), mine);
      // Search on top of it: a Call-ID that is not there.
      await page.getByTestId('filter-text').fill('no-such-call-id');
      await page.getByTestId('ladder-no-match').waitFor();
      await page.getByRole('button', { name: 'Clear the filter' }).click();
      assert.equal(Number(await scroll.getAttribute('data-rows')), direct.trace.length);
    });
  });

  test(`a ${BIG_MESSAGES.toLocaleString('en-US')}-message ladder is drawn whole and scrolls to its last message`, async () => {
    const { server, browser } = await harness(DIR);
    await onPage(await openPage(browser, server.url), async (page) => {
      await runScenarioInPage(page, 'learn/ladder-100k.yaml', undefined, 180_000);
      const scroll = page.getByTestId('ladder-scroll');
      assert.equal(Number(await scroll.getAttribute('data-rows')), BIG_MESSAGES);
      assert.ok((await page.getByTestId('ladder-arrow').count()) < 200, 'only the rows in view are in the DOM');
      // The time slider jumps to any moment: the middle of the run.
      const mid = Math.floor(BIG_MESSAGES / 2);
      await page.getByTestId('time-slider').fill(String(mid));
      await page.locator(`[data-testid="ladder-arrow"][data-seq="${mid}"]`).waitFor();
      await scroll.focus();
      await page.keyboard.press('End');
      const last = page.locator(`[data-testid="ladder-arrow"][data-seq="${BIG_MESSAGES - 1}"]`);
      await last.waitFor();
      assert.equal(await last.getAttribute('aria-selected'), 'true');
      assert.match((await page.getByTestId('wire-panel').getAttribute('aria-label')) ?? '', new RegExp(`^Message #${BIG_MESSAGES - 1}:`));
      const box = (await scroll.boundingBox())!;
      const row = (await last.boundingBox())!;
      assert.ok(row.y >= box.y && row.y + row.height <= box.y + box.height + 1, 'the last row is in view');
    });
  });

  test('an unknown protocol, malformed wire text, a 10,000-entry bulk and an empty trace each render with a note, without console errors', async () => {
    const { server, browser } = await harness(DIR);
    const base = { t: 1_000_000, subscribers: [0], bytes: 100, rules: [], event: 'delivered' as const };
    const entries = Array.from({ length: 10_000 }, (_, i) => ({ ueServiceId: `ue${i}@msgin5g.example.net`, ueCredential: 'c' }));
    const bulkBody = JSON.stringify({ bulkRegistrationIndicator: true, numberOfRequests: entries.length, requests: entries });
    const records: TraceRecord[] = [
      { ...base, seq: 0, from: 'a', to: 'b', proto: 'quic', kind: 'HELLO', wire: 'binary-ish \u0001 stuff' },
      { ...base, seq: 1, from: 'a', to: 'b', proto: 'sip', kind: 'REGISTER', wire: 'REGISTER sip:x SIP/2.0\r\nVia SIP/2.0/UDP nowhere\r\n\r\n' },
      { ...base, seq: 2, from: 'b', to: 'a', proto: 'sip', kind: 'garbage', wire: '\u0000\u0000 not SIP at all' },
      { ...base, seq: 3, from: 'b', to: 'a', proto: 'cx', kind: 'UAA', wire: 'Diameter?? no' },
      { ...base, seq: 4, from: 'a', to: 'b', proto: 'msgin5g', kind: 'bulk-registration', wire: `POST /x HTTP/1.1\r\nContent-Type: application/json\r\n\r\n${bulkBody}`, subscribers: entries.map((_, i) => i) },
      { ...base, seq: 5, from: 'a', to: 'b', proto: 'msgin5g', kind: '200 bulk-registration', wire: 'HTTP/1.1 200 OK\r\n\r\n{"responses": [1, 2' },
    ];
    const summary = (await runScenario(loadScenarioFile(join(ROOT, 'scenarios/learn/request-response.yaml')))).summary;
    const stream = (trace: TraceRecord[]) => (ws: import('playwright-core').WebSocketRoute) => {
      ws.onMessage(() => {
        const send = (ev: RunEvent) => ws.send(JSON.stringify(ev));
        send({ type: 'started', runId: 1, scenario: 'learn/ladder-100k.yaml', description: '', seed: 1, nodes: [{ id: 'a', type: 'x' }, { id: 'b', type: 'y' }], durationNs: 1e9, sampleIntervalNs: 1e8 });
        if (trace.length) send({ type: 'trace', runId: 1, records: trace });
        send({ type: 'finished', runId: 1, summary, rules: [] });
      });
    };
    for (const trace of [records, []]) {
      await onPage(await openPage(browser, 'about:blank'), async (page) => {
        await page.routeWebSocket(/\/api\/stream$/, stream(trace));
        await page.goto(server.url);
        await page.getByTestId('run-button').click();
        await page.locator('[data-testid="run-status"][data-phase="finished"]').waitFor();
        if (trace.length === 0) {
          assert.match((await page.getByTestId('ladder-empty').textContent()) ?? '', /No messages traced/);
        } else {
          const panel = page.getByTestId('wire-panel');
          const select = async (seq: number) => page.locator(`[data-testid="ladder-arrow"][data-seq="${seq}"]`).click();
          await select(0);
          assert.match((await panel.getByTestId('decode-note').textContent()) ?? '', /No decoder for protocol “quic”/);
          await select(1);
          assert.match((await panel.getByTestId('sip-headers').textContent()) ?? '', /malformed/);
          await select(2);
          assert.match((await panel.getByTestId('decode-note').textContent()) ?? '', /Could not decode: not a SIP start line/);
          await select(3);
          assert.match((await panel.getByTestId('decode-note').textContent()) ?? '', /Could not decode: not a Diameter dump/);
          await select(4);
          assert.match((await panel.getByTestId('json-more-note').textContent()) ?? '', /Showing 50 of 10,000 entries/);
          assert.match((await panel.textContent()) ?? '', /10,000/);
          await select(5);
          assert.match((await panel.getByTestId('decode-note').textContent()) ?? '', /The JSON body does not parse/);
        }
      });
    }
  });
});
