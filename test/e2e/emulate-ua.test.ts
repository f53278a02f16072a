/**
 * The student's own SIP UA in the browser (issue 17 item 4), as far as the lab takes it today: from
 * the Emulate tab, start an IMS core whose S-CSCF listens for SIP over WebSocket and admits clients
 * without AKA, join with sip.js running in the page, and see its messages on its own lane. The
 * decoder now carries a UA's own Contact (i17-peers, as w12-dash's work in progress does): the
 * REGISTER is answered 200 on the UA's lane; its SUBSCRIBE to another subscriber's reg event is
 * refused 403 (the model's S-CSCF serves the reg event to the subscriber's own identities only),
 * the refusal on the lane and counted. The SUBSCRIBE accepted and the terminated NOTIFY are
 * w12-dash's item 4.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { closeHarness, harness, openPage, ROOT } from './browser.ts';

const SCENARIO = 'emulate/ims-core-browser-ua.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'reglab-e2e-emulate-ua-'));
const dirs: string[] = [];

after(async () => {
  await closeHarness();
  for (const d of dirs) rmSync(dirname(d), { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

/** ims-core-ics-detach with a WebSocket listener on the S-CSCF and a node `student` the WebSocket client plays. */
function scenarios(studentPort: number): string {
  const dir = join(tmp, 'scenarios');
  mkdirSync(join(dir, 'emulate'), { recursive: true });
  const doc = parse(readFileSync(join(ROOT, 'scenarios/emulate/ims-core-ics-detach.yaml'), 'utf8'));
  doc.description = 'The IMS core of ims-core-ics-detach with the S-CSCF open to a SIP UA over WebSocket (the browser UA test).';
  doc.population.size = 2;
  doc.observe.watch.first = 2;
  doc.workload = [
    { target: 'msc', event: 'attach', subscribers: { from: 0, count: 1 }, pattern: { kind: 'all-at-once', at: '0s' } },
    { target: 'msc', event: 'detach', subscribers: { from: 0, count: 1 }, pattern: { kind: 'all-at-once', at: '30s' } },
  ];
  doc.nodes.find((n: { id: string }) => n.id === 'scscf').params.externalClients = 'accept-unauthenticated';
  doc.nodes.push({ id: 'student', type: 'msc-ics', params: { icscf: 'icscf', farEnd: 'far' } });
  doc.emulate.nodes.scscf = { ws: 0 };
  doc.emulate.nodes.student = { external: { address: `127.0.0.1:${studentPort}` } };
  writeFileSync(join(dir, SCENARIO), stringify(doc));
  return dir;
}

test("the student's sip.js UA joins the lab over WebSocket from the page: its REGISTER reaches the S-CSCF on its own lane, the lab's answer is shown with its reason", async () => {
  const student = createSocket('udp4');
  await new Promise<void>((res) => student.bind(0, '127.0.0.1', res));
  try {
    const { server, browser } = await harness(scenarios(student.address().port));
    const { page, problems } = await openPage(browser, new URL(`?view=emulate&scenario=${encodeURIComponent(SCENARIO)}`, server.url).href);
    await page.getByTestId('emulate-start').click();

    // The join panel offers the S-CSCF's WebSocket endpoint and the population's identities.
    await page.getByTestId('ua-panel').waitFor({ timeout: 15_000 });
    const wsEndpoint = (await page.locator('[data-testid="endpoint-node"][data-node="scscf"] [data-testid="endpoint"] code').allTextContents()).find((u) => u.endsWith(';transport=ws'))!;
    const port = /:(\d+);transport=ws$/.exec(wsEndpoint)![1];
    assert.equal(await page.getByTestId('ua-server').inputValue(), `ws://127.0.0.1:${port}`);
    assert.equal(await page.getByTestId('ua-aor').inputValue(), 'sip:234151000000000@ics.mnc015.mcc234.3gppnetwork.org', 'subscriber 1: the MSC registers subscriber 0');
    assert.equal(await page.getByTestId('ua-target').inputValue(), 'sip:234150999999999@ics.mnc015.mcc234.3gppnetwork.org');
    await page.locator('[data-testid="ladder-arrow"][data-kind="200 REGISTER"][data-to="msc"]').first().waitFor({ timeout: 15_000 });

    await page.getByTestId('ua-join').click();
    await page.locator('[data-testid="ladder-arrow"][data-kind="403 SUBSCRIBE"][data-from="scscf"][data-to="you (sip.js)"]').waitFor({ timeout: 15_000 });

    // Its own lane: sip.js's REGISTER to the S-CSCF and the answer back, with the real wire text.
    const lanes = await page.getByTestId('ladder-lane').evaluateAll((els) => els.map((e) => e.getAttribute('data-lane')));
    assert.ok(lanes.includes('you (sip.js)'), lanes.join(','));
    await page.locator('[data-testid="ladder-arrow"][data-kind="REGISTER"][data-from="you (sip.js)"][data-to="scscf"]').waitFor();
    await page.locator('[data-testid="ladder-arrow"][data-kind="200 REGISTER"][data-from="scscf"][data-to="you (sip.js)"]').click();
    const ok = (await page.getByTestId('wire-panel').textContent())!;
    assert.match(ok, /SIP\/2\.0 200 OK/);
    assert.match(ok, /<sip:[^@]+@[^;]+\.invalid;transport=ws>;expires=600/, "the 200 OK binds sip.js's own Contact");


    // The lab really received it over the WebSocket, and says so in its outputs.
    await page.getByTestId('emulate-stop').click();
    await page.locator('[data-testid="emulate-status"][data-phase="done"]').waitFor({ timeout: 15_000 });
    const dir = (await page.getByTestId('emulate-dir').textContent())!;
    dirs.push(dir);
    const emulation = JSON.parse(readFileSync(join(dir, 'emulation.json'), 'utf8'));
    assert.equal(emulation.wire.byReason['sip.403'], 1);
    const pcap = readFileSync(join(dir, 'trace.pcapng')).toString('latin1');
    assert.match(pcap, /REGISTER sip:ics\.mnc015\.mcc234\.3gppnetwork\.org SIP\/2\.0\r\nVia: SIP\/2\.0\/WS [a-z0-9]+\.invalid/, "sip.js's REGISTER, as it crossed the WebSocket, is in the capture");
    assert.deepEqual(problems, []);
  } finally {
    student.close();
  }
});
