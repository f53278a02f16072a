/**
 * The ladder as a student uses it, in headless Chromium on real runs (issue 15's acceptance): the
 * deregistration REGISTER's steps with their sentences and lit headers, the Cx UAR's AVPs, playback
 * that stops at a chosen message, lanes that fit at 1280×800, one tab stop, exports (SVG, and the
 * run's pcapng read by tshark), text contrast, and a 390 px screen.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadScenarioFile } from '../../sim/scenario/load.ts';
import { runScenario, type RunResult } from '../../sim/scenario/run.ts';
import { contrastRatio, over, parseColor, type Rgba } from '../../web/src/a11y/contrast.ts';
import { specStep } from '../../web/src/spec/spec-steps.ts';
import { clickMessage, closeHarness, harness, onPage, openPage, ROOT, runScenarioInPage } from './browser.ts';

const SCENARIO = 'learn/ics-detach-with-call.yaml';
const SEED = 42;
const STEPS = [1, 2, 3, 4, 5, 6, 7].map((n) => `24.292:6.3.6.2/${n}`);

after(closeHarness);

let direct: RunResult | undefined;
async function expected(): Promise<RunResult> {
  direct ??= await runScenario(loadScenarioFile(join(ROOT, 'scenarios', SCENARIO), { seed: SEED }));
  return direct;
}

/**
 * Every visible text of the page with its colour and effective background (composited up the tree).
 * A string, not a function: the test loader would wrap the inner helpers in its own `__name` calls.
 */
const TEXT_COLOURS = `(() => {
  const out = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const st = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && st.visibility !== 'hidden' && st.display !== 'none' && Number(st.opacity) > 0.05 && !el.closest('[aria-hidden="true"],:disabled');
  };
  const bgsOf = (el) => {
    const bgs = [];
    for (let e = el; e; e = e.parentElement) {
      if (e instanceof SVGElement && !(e instanceof SVGSVGElement)) continue;
      const bg = getComputedStyle(e).backgroundColor;
      bgs.push(bg);
      if (!bg.startsWith('rgba') || bg.endsWith(', 1)')) break;
    }
    return bgs;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim() || !visible(el) || el.closest('script,style,option')) continue;
    const st = getComputedStyle(el);
    const size = parseFloat(st.fontSize);
    const bold = Number(st.fontWeight) >= 700;
    const fg = el instanceof SVGElement ? st.fill : st.color;
    out.push({ text: n.textContent.trim().slice(0, 40), fg, bgs: bgsOf(el), large: size >= 24 || (bold && size >= 18.66) });
  }
  return out;
})()`;

async function textColours(page: Page): Promise<{ text: string; fg: string; bgs: string[]; large: boolean }[]> {
  return page.evaluate(TEXT_COLOURS);
}

function contrastProblems(items: Awaited<ReturnType<typeof textColours>>): string[] {
  const white: Rgba = [255, 255, 255, 1];
  const bad: string[] = [];
  for (const it of items) {
    const fg = parseColor(it.fg);
    if (!fg) continue;
    let bg = white;
    for (const b of [...it.bgs].reverse()) {
      const c = parseColor(b);
      if (c && c[3] > 0) bg = over(c, bg);
    }
    const ratio = contrastRatio(over(fg, bg), bg);
    if (ratio < (it.large ? 3 : 4.5)) bad.push(`"${it.text}" ${it.fg} on ${it.bgs.join(' < ')}: ${ratio.toFixed(2)}:1`);
  }
  return bad;
}

describe('ladder', () => {
  test('the deregistration REGISTER shows steps /1–/7 with their sentences and lights the Expires and Contact lines; the Cx UAR decodes with its AVPs', async () => {
    const { server, browser } = await harness();
    const run = await expected();
    const reg = run.trace.find((r) => r.kind === 'REGISTER' && r.from === 'msc' && r.rules.includes('24.292:6.3.6.2/6'))!;
    const uar = run.trace.find((r) => r.seq > reg.seq && r.kind === 'UAR')!;
    await onPage(await openPage(browser, server.url), async (page) => {
      // First contact: this scenario is preselected.
      const item = page.locator(`[data-testid="scenario-item"][data-path="${SCENARIO}"]`);
      await item.waitFor();
      assert.equal(await item.getAttribute('aria-pressed'), 'true');
      await runScenarioInPage(page, SCENARIO, SEED);
      assert.equal(Number(await page.getByTestId('ladder-scroll').getAttribute('data-rows')), run.trace.length);

      await clickMessage(page, reg.seq);
      const panel = page.getByTestId('wire-panel');
      assert.match((await panel.getAttribute('aria-label')) ?? '', new RegExp(`^Message #${reg.seq}: REGISTER$`));
      const steps = panel.getByTestId('wire-step');
      const ids = await steps.evaluateAll((els) => els.map((e) => e.getAttribute('data-rule')));
      for (const id of STEPS) assert.ok(ids.includes(id), `step ${id} missing: ${ids.join(', ')}`);
      for (const id of STEPS) {
        const sentence = await panel.locator(`[data-rule="${id}"] [data-testid="step-sentence"]`).textContent();
        assert.ok(sentence?.includes(specStep(id).sentence), `${id}: "${sentence}"`);
      }
      assert.match(specStep('24.292:6.3.6.2/6').sentence, /Expires header, or the expires parameter/);

      const lit = () => panel.locator('[data-testid="sip-header"][data-lit="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-header')));
      assert.deepEqual(await lit(), [], 'nothing is lit before a step is chosen');
      await panel.locator('[data-rule="24.292:6.3.6.2/6"]').hover();
      assert.deepEqual(await lit(), ['Expires']);
      if (process.env.REGLAB_SCREENSHOT === '1') {
        // README's picture: the ladder with the deregistration REGISTER open, step 6 lighting Expires: 0.
        await page.setViewportSize({ width: 1440, height: 900 });
        await page.getByTestId('ladder-card').evaluate((el) => el.scrollIntoView({ block: 'start' }));
        await panel.locator('[data-rule="24.292:6.3.6.2/6"]').click();
        await panel.locator('[data-testid="sip-header"][data-header="Expires"]').evaluate((el) => el.scrollIntoView({ block: 'center' }));
        await page.mouse.move(0, 0);
        await page.screenshot({ path: join(ROOT, 'docs/images/dashboard.png') });
        await page.setViewportSize({ width: 1280, height: 800 });
        await panel.locator('[data-rule="24.292:6.3.6.2/6"]').click();
        await panel.locator('[data-rule="24.292:6.3.6.2/6"]').hover();
      }
      await panel.locator('[data-rule="24.292:6.3.6.2/4"]').hover();
      assert.deepEqual(await lit(), ['Contact']);
      assert.match((await panel.locator('[data-testid="sip-header"][data-lit="true"]').textContent()) ?? '', /\+sip\.instance/);
      // Pinned by a click, shown in the raw text too.
      await panel.locator('[data-rule="24.292:6.3.6.2/6"]').click();
      await page.mouse.move(0, 0);
      await panel.getByTestId('tab-raw').click();
      assert.deepEqual(await panel.getByTestId('lit-step').allTextContents(), ['Expires: 0']);
      await panel.getByTestId('tab-decoded').click();

      // The Cx UAR: command, flags, AVP tree with names and values.
      await clickMessage(page, uar.seq);
      assert.match((await panel.getByTestId('cx-command').textContent()) ?? '', /User-Authorization-Request \(UAR\) — code 300/);
      const avps = await panel.getByTestId('avp').evaluateAll((els) => els.map((e) => e.getAttribute('data-avp')));
      for (const a of ['Session-Id', 'Vendor-Specific-Application-Id', 'Vendor-Id', 'Public-Identity', 'User-Authorization-Type']) assert.ok(avps.includes(a), `${a} missing: ${avps.join(', ')}`);
      assert.match((await panel.locator('[data-avp="User-Authorization-Type"]').textContent()) ?? '', /1 DE_REGISTRATION/);
      assert.equal(await panel.locator('[data-avp="Vendor-Specific-Application-Id"] [data-avp="Vendor-Id"]').count(), 1, 'grouped AVPs nest');

      // The summary's rule links lead back to the message that proves the rule.
      const proof = page.locator('[data-testid="rule-evidence"]').first();
      const proofSeq = Number(await proof.getAttribute('data-seq'));
      await proof.click();
      await page.waitForFunction((s) => document.querySelector('[data-testid="wire-panel"]')?.getAttribute('aria-label')?.startsWith(`Message #${s}:`), proofSeq);
    });
  });

  test('playback stops at the chosen message; the ladder is one tab stop driven by the arrow keys', async () => {
    const { server, browser } = await harness();
    const run = await expected();
    const reg = run.trace.find((r) => r.kind === 'REGISTER' && r.from === 'msc' && r.rules.includes('24.292:6.3.6.2/6'))!;
    await onPage(await openPage(browser, server.url), async (page) => {
      await runScenarioInPage(page, SCENARIO, SEED);
      const scroll = page.getByTestId('ladder-scroll');
      assert.equal(await scroll.getAttribute('tabindex'), '0');
      assert.equal(await scroll.locator('[tabindex]').count(), 0, 'no arrow is a tab stop of its own');
      await scroll.focus();
      await page.keyboard.press('Home');
      await page.keyboard.press('ArrowDown');
      const panel = page.getByTestId('wire-panel');
      assert.match((await panel.getAttribute('aria-label')) ?? '', /^Message #1:/);

      // "The BYEs are answered, now the REGISTER goes out": stop exactly there.
      await page.getByTestId('stop-at').fill(String(reg.seq));
      await page.getByTestId('playback-speed').selectOption('50');
      await page.getByTestId('play-button').click();
      await page.locator('[data-testid="play-button"][data-playing="false"]').waitFor({ timeout: 20_000 });
      assert.match((await panel.getAttribute('aria-label')) ?? '', new RegExp(`^Message #${reg.seq}: REGISTER$`));
      assert.equal(await page.locator(`[data-testid="ladder-arrow"][data-seq="${reg.seq}"]`).getAttribute('aria-selected'), 'true');
      // Space plays on from there (message by message) and stepping back pauses.
      await scroll.focus();
      await page.keyboard.press(' ');
      await page.waitForFunction((s) => !document.querySelector('[data-testid="wire-panel"]')?.getAttribute('aria-label')?.startsWith(`Message #${s}:`), reg.seq);
      await page.getByTestId('step-back').click();
      assert.equal(await page.getByTestId('play-button').getAttribute('data-playing'), 'false');
    });
  });

  test('at 1280×800 every lane is visible without horizontal scrolling; every text passes 4.5:1', async () => {
    const { server, browser } = await harness();
    await onPage(await openPage(browser, server.url), async (page) => {
      await runScenarioInPage(page, SCENARIO, SEED);
      await clickMessage(page, 1);
      const box = (await page.getByTestId('ladder-scroll').boundingBox())!;
      const lanes = await page.getByTestId('ladder-lane').evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-lane'), ...e.getBoundingClientRect().toJSON() })));
      assert.equal(lanes.length, 6, lanes.map((l) => l.id).join(', '));
      for (const l of lanes) assert.ok(l.x >= box.x && l.x + l.width <= box.x + box.width + 0.5, `lane ${l.id} is outside the ladder (${l.x}..${l.x + l.width} vs ${box.x}..${box.x + box.width})`);
      const [sw, cw] = await page.getByTestId('ladder-scroll').evaluate((el) => [el.scrollWidth, el.clientWidth]);
      assert.ok(sw <= cw, `the ladder scrolls sideways: ${sw} > ${cw}`);

      const texts = await textColours(page);
      assert.ok(texts.length > 100, `only ${texts.length} texts found`);
      assert.deepEqual(contrastProblems(texts), []);
    });
  });

  test('exports: the ladder as SVG, and the run’s pcapng, which tshark reads with 0 malformed frames and the step comments', async () => {
    const { server, browser } = await harness();
    const run = await expected();
    const reg = run.trace.find((r) => r.kind === 'REGISTER' && r.from === 'msc' && r.rules.includes('24.292:6.3.6.2/6'))!;
    const { page, problems } = await openPage(browser, server.url);
    const dir = mkdtempSync(join(tmpdir(), 'reglab-ladder-'));
    try {
      await runScenarioInPage(page, SCENARIO, SEED);
      const [svgDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-svg').click()]);
      const svgPath = join(dir, 'ladder.svg');
      await svgDl.saveAs(svgPath);
      const svg = readFileSync(svgPath, 'utf8');
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.ok(svg.includes(`#${reg.seq} REGISTER`), 'the SVG numbers messages as the page does');
      assert.equal((svg.match(/<polygon|-x|M[\d.]+,[\d.]+ l10,10/g) ?? []).length >= run.trace.length - 1, true);

      const [pcapDl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-trace.pcapng').click()]);
      const pcap = join(dir, 'trace.pcapng');
      await pcapDl.saveAs(pcap);
      const malformed = spawnSync('tshark', ['-r', pcap, '-Y', '_ws.malformed'], { encoding: 'utf8' });
      assert.equal(malformed.status, 0, malformed.stderr);
      assert.equal(malformed.stdout.trim(), '', `malformed frames:\n${malformed.stdout}`);
      const comments = spawnSync('tshark', ['-r', pcap, '-T', 'fields', '-e', 'frame.comment'], { encoding: 'utf8' }).stdout;
      const line = comments.split('\n').find((l) => l.startsWith(`#${reg.seq} REGISTER msc -> icscf`));
      assert.ok(line, `no frame comment for #${reg.seq}`);
      for (const id of STEPS) assert.ok(line.includes(id), `${id} not in "${line}"`);

      for (const f of ['trace.jsonl', 'summary.json', 'rules.json', 'metrics.csv', 'flows.mmd']) {
        const href = await page.getByTestId(`download-${f}`).getAttribute('href');
        const res = await fetch(new URL(href!, server.url));
        assert.equal(res.status, 200, f);
        const text = await res.text();
        if (f === 'trace.jsonl') assert.equal(text.trim().split('\n').length, run.trace.length);
        if (f === 'rules.json') assert.equal((JSON.parse(text) as unknown[]).length, run.rules.length);
        if (f === 'flows.mmd') assert.ok(text.includes(`: #${reg.seq} `), 'flows.mmd numbers messages as the page does');
      }
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('first contact: the one-screen tour is shown until dismissed, and stays dismissed after a reload', async () => {
    const { server, browser } = await harness();
    await onPage(await openPage(browser, server.url, undefined, true), async (page) => {
      const tour = page.getByTestId('tour');
      await tour.waitFor();
      const text = (await tour.textContent()) ?? '';
      for (const w of ['Ladder', 'Click a message', 'Playback', 'Filter and search', 'Export']) assert.ok(text.includes(w), `the tour does not mention ${w}`);
      const b = (await tour.boundingBox())!;
      assert.ok(b.y + b.height <= 800, 'the tour fits on one screen at 1280×800');
      await page.getByTestId('tour-dismiss').click();
      assert.equal(await tour.count(), 0);
      await page.reload();
      await page.getByTestId('run-button').waitFor();
      assert.equal(await page.getByTestId('tour').count(), 0, 'dismissed for good');
    });
  });

  test('at 390 px the Run button and the ladder are on screen and nothing scrolls sideways', async () => {
    const { server, browser } = await harness();
    await onPage(await openPage(browser, server.url, { width: 390, height: 844 }), async (page) => {
      const run = page.getByTestId('run-button');
      await run.waitFor();
      const b = (await run.boundingBox())!;
      assert.ok(b.x >= 0 && b.x + b.width <= 390, `Run button at ${b.x}..${b.x + b.width}`);
      await runScenarioInPage(page, SCENARIO, SEED);
      const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(sw <= cw + 1, `the page scrolls sideways at 390 px: ${sw} > ${cw}`);
      assert.ok((await page.getByTestId('ladder-arrow').count()) > 0);
    });
  });
});
