/**
 * The student's own SIP UA in the browser (issue 17 item 4), exactly as the issue says: from the
 * dashboard's Emulate tab, start an emulation (scenarios/emulate/ims-core-browser-ua.yaml), join it
 * with sip.js running in the page over WebSocket, register (subscriber 1's identity), subscribe to
 * the reg event of a CS subscriber's public identity (subscriber 0's, which the MSC registered), and
 * when that subscriber detaches the page receives the NOTIFY with `state="terminated"` — drawn in the
 * ladder on the student's own lane. The S-CSCF admits the client by two lab policies
 * (externalClients accept-unauthenticated, regEventAuthorization external-clients) and keeps the
 * MSC's own subscription beside it (regEventWatchers keep-all); the dialog carries sip.js's own
 * From URI and tag (never rewritten, RFC 3261 §8.2.6.2). The default policy's 403 is checked too.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { Page } from 'playwright-core';
import { closeHarness, harness, openPage, ROOT } from './browser.ts';

const SCENARIO = 'emulate/ims-core-browser-ua.yaml';
/**
 * When subscriber 0 detaches (s): the page must have started the lab, loaded sip.js, joined and
 * subscribed before — 2–3 s on a quiet machine, over 12 s seen under a loaded full suite.
 */
const DETACH_S = 20;
const STUDENT = 'sip:234151000000000@ics.mnc015.mcc234.3gppnetwork.org';
const WATCHED = 'sip:234150999999999@ics.mnc015.mcc234.3gppnetwork.org';
const tmp = mkdtempSync(join(tmpdir(), 'reglab-e2e-emulate-ua-'));
const dirs: string[] = [];

after(async () => {
  await closeHarness();
  for (const d of dirs) rmSync(dirname(d), { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * The scenarios folder (one for the whole file: the server is started once): the shipped scenario
 * as `name`, its student played at a free address, subscriber 0 detaching at DETACH_S, `policies`
 * over the S-CSCF's params.
 */
function scenarios(name: string, studentPort: number, policies: Record<string, string> = {}): string {
  const dir = join(tmp, 'scenarios');
  mkdirSync(join(dir, 'emulate'), { recursive: true });
  const doc = parse(readFileSync(join(ROOT, 'scenarios', SCENARIO), 'utf8'));
  doc.workload[1].pattern.at = `${DETACH_S}s`;
  doc.duration = `${DETACH_S + 20}s`;
  Object.assign(doc.nodes.find((n: { id: string }) => n.id === 'scscf').params, policies);
  doc.emulate.nodes.student = { external: { address: `127.0.0.1:${studentPort}` } };
  writeFileSync(join(dir, name), stringify(doc));
  return dir;
}

/**
 * Opens the dashboard on scenario `name` (written by scenarios() with `policies`), its student
 * played by a UDP socket of this test, starts the emulation and runs `body` on the page. A failure
 * half-way leaves the emulation running: it is stopped, or the next test could not start one.
 */
async function inLab(name: string, policies: Record<string, string>, body: (page: Page, problems: string[]) => Promise<void>): Promise<void> {
  let opened: Page | undefined;
  const student = createSocket('udp4');
  await new Promise<void>((res) => student.bind(0, '127.0.0.1', res));
  try {
    const { server, browser } = await harness(scenarios(name, student.address().port, policies));
    const { page, problems } = await openPage(browser, new URL(`?view=emulate&scenario=${encodeURIComponent(name)}`, server.url).href);
    opened = page;
    await page.getByTestId('emulate-start').click();
    await body(page, problems);
  } finally {
    if (opened && (await opened.locator('[data-testid="emulate-status"][data-phase="done"]').count()) === 0) await opened.getByTestId('emulate-stop').click({ timeout: 5_000 }).catch(() => {});
    student.close();
  }
}

test("the student's sip.js UA joins the lab from the page, subscribes to a CS subscriber's reg event, and receives the terminated NOTIFY on its own lane when that subscriber detaches", () =>
  inLab(SCENARIO, {}, async (page, problems) => {

    // The join panel offers the S-CSCF's WebSocket endpoint and the population's identities.
    await page.getByTestId('ua-panel').waitFor({ timeout: 15_000 });
    const wsEndpoint = (await page.locator('[data-testid="endpoint-node"][data-node="scscf"] [data-testid="endpoint"] code').allTextContents()).find((u) => u.endsWith(';transport=ws'))!;
    const port = /:(\d+);transport=ws$/.exec(wsEndpoint)![1];
    assert.equal(await page.getByTestId('ua-server').inputValue(), `ws://127.0.0.1:${port}`);
    assert.equal(await page.getByTestId('ua-aor').inputValue(), STUDENT, 'subscriber 1: the MSC registers subscriber 0');
    assert.equal(await page.getByTestId('ua-target').inputValue(), WATCHED);
    await page.locator('[data-testid="ladder-arrow"][data-kind="200 REGISTER"][data-to="msc"]').first().waitFor({ timeout: 15_000 });

    await page.getByTestId('ua-join').click();
    // The first NOTIFY (RFC 6665 §4.2.1.2: right after the 200 to the SUBSCRIBE) shows the MSC's registration active.
    const first = page.locator('[data-testid="ua-notify"]').first();
    await first
      .waitFor({ timeout: DETACH_S * 1000 })
      .catch(async (e: Error) => assert.fail(`no NOTIFY (${e.message}); the page says: ${await page.getByTestId('ua-status').textContent()}`));
    assert.equal(await first.getAttribute('data-sub-state'), 'active');
    assert.equal(await first.getAttribute('data-reg-states'), 'active,active,active', 'the full state: the implicit set of 3, registered by the MSC');

    // Subscriber 0 detaches (the MSC deregisters it, §6.3.6.2): the page gets the final NOTIFY.
    const last = page.locator('[data-testid="ua-notify"][data-sub-state="terminated"]');
    await last.waitFor({ timeout: (DETACH_S + 15) * 1000 });
    assert.equal(await last.getAttribute('data-reg-states'), 'terminated,terminated,terminated');
    assert.match((await last.textContent())!, /subscription terminated[\s\S]*sip:234150999999999@ics\.mnc015\.mcc234\.3gppnetwork\.org terminated · contact sip:192\.0\.2\.\d+:5060 terminated \(unregistered\)/);
    await page.locator('[data-testid="ua-status"][data-status="registered"]').waitFor();

    // Its own lane: sip.js's REGISTER and SUBSCRIBE, and the S-CSCF's NOTIFYs to it.
    const lanes = await page.getByTestId('ladder-lane').evaluateAll((els) => els.map((e) => e.getAttribute('data-lane')));
    assert.ok(lanes.includes('you (sip.js)'), lanes.join(','));
    const you = '[data-testid="ladder-arrow"]';
    await page.locator(`${you}[data-kind="REGISTER"][data-from="you (sip.js)"][data-to="scscf"]`).waitFor();
    await page.locator(`${you}[data-kind="SUBSCRIBE"][data-from="you (sip.js)"][data-to="scscf"]`).waitFor();
    await page.locator(`${you}[data-kind="200 SUBSCRIBE"][data-from="scscf"][data-to="you (sip.js)"]`).waitFor();
    const notifies = page.locator(`${you}[data-kind="NOTIFY"][data-from="scscf"][data-to="you (sip.js)"]`);
    // Each NOTIFY arrow on the lane opens its text: the final one is there.
    let text = '';
    for (let i = 0; i < (await notifies.count()) && !/Subscription-State:? ?terminated/.test(text); i++) {
      await notifies.nth(i).click();
      text = (await page.getByTestId('wire-panel').textContent())!;
    }
    assert.match(text, /Subscription-State:? ?terminated/);
    assert.match(text, /<registration aor="sip:234150999999999@ics\.mnc015\.mcc234\.3gppnetwork\.org" id="[^"]+" state="terminated">/);
    // The lab really served it over the WebSocket, and says so in its outputs.
    await page.getByTestId('emulate-stop').click();
    await page.locator('[data-testid="emulate-status"][data-phase="done"]').waitFor({ timeout: 15_000 });
    const dir = (await page.getByTestId('emulate-dir').textContent())!;
    dirs.push(dir);
    const emulation = JSON.parse(readFileSync(join(dir, 'emulation.json'), 'utf8'));
    assert.deepEqual(emulation.wire.byReason, {}, 'nothing refused');
    // The MSC's own subscription was kept beside the student's (regEventWatchers keep-all): both got the final NOTIFY.
    const trace = readFileSync(join(dir, 'trace.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; from: string; to: string; wire?: string });
    const finals = trace.filter((r) => r.kind === 'NOTIFY' && r.from === 'scscf' && /Subscription-State: terminated/.test(r.wire ?? '')).map((r) => r.to);
    assert.deepEqual(finals.sort(), ['msc', 'student'], JSON.stringify(trace.filter((r) => r.kind === 'NOTIFY').map((r) => [r.from, r.to])));
    // The dialog is sip.js's own: the NOTIFY the page showed has sip.js's From — its identity and its tag — as To, not rewritten.
    const subscribe = trace.find((r) => r.kind === 'SUBSCRIBE' && r.from === 'student')!;
    const fromTag = /^From: <sip:234151000000000@ics\.mnc015\.mcc234\.3gppnetwork\.org>;tag=(\S+)\r$/m.exec(subscribe.wire ?? '')?.[1];
    assert.ok(fromTag, subscribe.wire);
    assert.ok(text.includes(`<sip:234151000000000@ics.mnc015.mcc234.3gppnetwork.org>;tag=${fromTag}`), "the NOTIFY's To is sip.js's own From, tag included");
    assert.equal(emulation.wire.decodeMismatch, 0, 'every message decoded renders back to its received text');
    const pcap = readFileSync(join(dir, 'trace.pcapng')).toString('latin1');
    assert.match(pcap, /NOTIFY sip:[a-z0-9]+@[a-z0-9]+\.invalid;transport=ws SIP\/2\.0\r\nVia: SIP\/2\.0\/WS /, "the NOTIFY to sip.js's own Contact, as it crossed the WebSocket, is in the capture");
    assert.match(pcap, /Subscription-State: terminated\r\n/);
    assert.deepEqual(problems, []);
  }));

test("under the S-CSCF's default regEventAuthorization (asserted-own: TS 24.229 §5.4.2.1.1) the page shows the 403 to its SUBSCRIBE for another user's identity", () =>
  inLab('emulate/ims-core-browser-ua-asserted-own.yaml', { regEventAuthorization: 'asserted-own' }, async (page, problems) => {
    await page.getByTestId('ua-panel').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="ladder-arrow"][data-kind="200 REGISTER"][data-to="msc"]').first().waitFor({ timeout: 15_000 });
    await page.getByTestId('ua-join').click();
    await page.locator('[data-testid="ua-status"][data-status="failed"]').waitFor({ timeout: 15_000 });
    assert.match((await page.getByTestId('ua-status').textContent())!, /SUBSCRIBE answered 403 Forbidden/);
    await page.locator('[data-testid="ladder-arrow"][data-kind="403 SUBSCRIBE"][data-from="scscf"][data-to="you (sip.js)"]').waitFor();
    await page.getByTestId('emulate-stop').click();
    await page.locator('[data-testid="emulate-status"][data-phase="done"]').waitFor({ timeout: 15_000 });
    dirs.push((await page.getByTestId('emulate-dir').textContent())!);
    assert.deepEqual(problems, []);
  }));
