/**
 * The Emulate tab in a real browser (Debian's Chromium through playwright-core) against the real
 * server and the real emulation lab: start emulate/ims-core-ics-detach.yaml from the page, see its
 * endpoints (and reach one), see the ladder rows of real traffic arrive and the lateness gauge
 * move, stop, and find the run directory's files listed and served. Then the same scenario with the
 * far end played by a real peer (a UDP socket of this test): its lane says so, and the INVITE the
 * page draws is the one that socket received.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { closeHarness, harness, openPage, ROOT } from './browser.ts';

const SCENARIO = 'emulate/ims-core-ics-detach.yaml';
const tmp = mkdtempSync(join(tmpdir(), 'reglab-e2e-emulate-'));
const dirs: string[] = [];

after(async () => {
  await closeHarness();
  for (const d of dirs) rmSync(dirname(d), { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

/** A scenarios folder with the lab scenario and a copy whose far end is the real peer at `farPort`. */
function scenarios(farPort: number): string {
  const dir = join(tmp, 'scenarios');
  mkdirSync(join(dir, 'emulate'), { recursive: true });
  const text = readFileSync(join(ROOT, 'scenarios', SCENARIO), 'utf8');
  writeFileSync(join(dir, SCENARIO), text);
  const doc = parse(text);
  doc.description = 'The IMS core of ims-core-ics-detach with the far end played by a real peer (the browser test).';
  doc.emulate.nodes.far = { external: { address: `127.0.0.1:${farPort}` } };
  writeFileSync(join(dir, 'emulate/far-external.yaml'), stringify(doc));
  return dir;
}

test('Emulate tab: start from the page, endpoints, live ladder and lateness, stop → outputs listed and served; an external peer is its own lane', async () => {
  const far = createSocket('udp4');
  const farGot: string[] = [];
  far.on('message', (m) => farGot.push(m.toString('latin1')));
  await new Promise<void>((res) => far.bind(0, '127.0.0.1', res));
  try {
    const { server, browser } = await harness(scenarios(far.address().port));
    const { page, problems } = await openPage(browser, new URL(`?view=emulate&scenario=${encodeURIComponent(SCENARIO)}`, server.url).href);

    // Loopback only: the server was started without --emulate-host.
    await page.getByTestId('emulate-host-note').waitFor();
    assert.deepEqual(await page.getByTestId('emulate-host').locator('option').allTextContents(), ['127.0.0.1']);
    await page.getByTestId('emulate-start').click();

    // The endpoints, as reglab emulate prints them; the HSS's Diameter port really accepts.
    await page.locator('[data-testid="endpoint"][data-proto="diameter"]').waitFor({ timeout: 15_000 });
    const nodesListed = await page.getByTestId('endpoint-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-node')));
    assert.deepEqual(nodesListed, ['msc', 'icscf', 'scscf', 'hss', 'far']);
    const urls = await page.locator('[data-testid="endpoint"] code').allTextContents();
    assert.ok(urls.length >= 9 && urls.every((u) => /^(sip:127\.0\.0\.1:\d+;transport=(udp|tcp)|aaa:\/\/127\.0\.0\.1:\d+;transport=tcp)$/.test(u)), urls.join(' '));
    const hss = /^aaa:\/\/127\.0\.0\.1:(\d+)/.exec(urls.find((u) => u.startsWith('aaa:'))!)!;
    await new Promise<void>((res, rej) => {
      const s = connect(Number(hss[1]), '127.0.0.1', () => (s.destroy(), res())).on('error', rej);
    });

    // Ladder rows of the real traffic arrive while it runs: registration through the core, Cx on the wire.
    await page.locator('[data-testid="ladder-arrow"][data-kind="200 REGISTER"][data-to="msc"]').first().waitFor({ timeout: 15_000 });
    const lanes = await page.getByTestId('ladder-lane').evaluateAll((els) => els.map((e) => e.getAttribute('data-lane')));
    for (const n of ['msc', 'icscf', 'scscf', 'hss', 'far']) assert.ok(lanes.includes(n), `lane ${n} in ${lanes.join(',')}`);
    const kinds = new Set(await page.getByTestId('ladder-arrow').evaluateAll((els) => els.map((e) => e.getAttribute('data-kind'))));
    for (const k of ['REGISTER', 'UAR', 'SAR']) assert.ok([...kinds].some((x) => x?.startsWith(k)), `${k} in ${[...kinds].join(', ')}`);
    assert.equal(await page.getByTestId('emulate-status').getAttribute('data-phase'), 'running');

    // The gauge shows p50 ≤ p99 ≤ max once the first figures arrive (once a second).
    await page.locator('[data-testid="lateness-figure"][data-figure="max"]:not([data-ms=""])').waitFor({ timeout: 10_000 });
    const ms = await page.getByTestId('lateness-figure').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-ms'))));
    assert.ok(ms[0]! >= 0 && ms[0]! <= ms[1]! && ms[1]! <= ms[2]!, `p50 ${ms[0]} p99 ${ms[1]} max ${ms[2]}`);
    assert.ok(Number(await page.getByTestId('lateness-gauge').getAttribute('data-events')) > 0);

    // Stop: the outputs are written and listed, each link serving the run directory's file.
    await page.getByTestId('emulate-stop').click();
    await page.locator('[data-testid="emulate-status"][data-phase="done"]').waitFor({ timeout: 15_000 });
    const dir = (await page.getByTestId('emulate-dir').textContent())!;
    dirs.push(dir);
    const names = await page.getByTestId('emulate-output').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    for (const f of ['summary.json', 'rules.json', 'trace.jsonl', 'trace.pcapng', 'arrivals.jsonl', 'emulation.json', 'metrics.csv', 'flows.mmd']) assert.ok(names.includes(f), `${f} in ${names.join(', ')}`);
    const href = (await page.locator('[data-testid="emulate-output"][data-name="emulation.json"]').getAttribute('href'))!;
    const served = await (await fetch(new URL(href, server.url))).text();
    assert.equal(served, readFileSync(join(dir, 'emulation.json'), 'utf8'));
    assert.equal(JSON.parse(served).ended, 'stopped');
    await page.getByTestId('summary').waitFor();
    const arrowsAfter = await page.getByTestId('ladder-scroll').getAttribute('data-rows');
    const traced = readFileSync(join(dir, 'trace.jsonl'), 'utf8').trim().split('\n').length;
    assert.equal(Number(arrowsAfter), traced, 'the ladder holds every watched message of trace.jsonl');

    // The far end played by a real peer: its lane is named as the external peer, and what the page
    // draws going to it is what the peer's socket received.
    await page.locator('[data-testid="scenario-item"][data-path="emulate/far-external.yaml"]').click();
    await page.getByTestId('emulate-start').click();
    await page.locator('[data-testid="endpoint-external"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="ladder-arrow"][data-kind="INVITE"][data-to="far"]').first().waitFor({ timeout: 15_000 });
    const farLane = page.locator('[data-testid="ladder-lane"][data-lane="far"]');
    assert.match((await farLane.textContent())!, new RegExp(`external 127\\.0\\.0\\.1:${far.address().port}`));
    await page.getByTestId('emulate-stop').click();
    await page.locator('[data-testid="emulate-status"][data-phase="done"]').waitFor({ timeout: 15_000 });
    dirs.push((await page.getByTestId('emulate-dir').textContent())!);
    assert.ok(farGot.some((m) => m.startsWith('INVITE sip:')), `the peer received the INVITE (${farGot.length} datagrams)`);
    assert.deepEqual(problems, []);
  } finally {
    far.close();
  }
});
