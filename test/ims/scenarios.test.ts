/**
 * Integration: the ICS learn scenarios end to end through `reglab run` (acceptance of issue 3):
 * trace.jsonl, flows.mmd, rules.json, trace.pcapng read by tshark, every SIP message read back by
 * sip.js, the rule checker catching a model broken on purpose, and bad scenarios refused.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TraceRecord, RuleResult } from '../../sim/observe/records.ts';
import { parseSip } from '../../sim/sip/parser.ts';
import { param } from '../../sim/sip/headers.ts';
import { readWithSipJs } from '../sip/sipjs.ts';
import { loadScenarioFile, loadScenarioText } from '../../sim/scenario/load.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { evaluateRules } from '../../sim/observe/rules.ts';
import type { TraceEntry } from '../../sim/observe/recorder.ts';
import { IMS_RULES } from '../../sim/ims/rules.ts';
import { ImsSip, Ruri } from '../../sim/ims/sip-message.ts';
import { CxMessage, ServerAssignmentType, UserAuthorizationType } from '../../sim/ims/cx.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin/reglab.mjs');
const LEARN = ['ics-detach-with-call', 'ics-cancel-location', 'ics-msc-maintenance'];
const TMP = mkdtempSync(join(tmpdir(), 'ims-it-'));
const dirs = new Map<string, string>();

function reglab(args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: ROOT });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function runLearn(name: string, sets: string[] = [], tag = ''): string {
  const out = join(TMP, name + tag);
  const r = reglab(['run', join(ROOT, 'scenarios/learn', `${name}.yaml`), ...sets.flatMap((s) => ['--set', s]), '--out', out, '--quiet']);
  assert.equal(r.status, 0, `reglab run ${name}: ${r.stderr}`);
  return out;
}

const trace = (dir: string): TraceRecord[] =>
  readFileSync(join(dir, 'trace.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as TraceRecord);
const rules = (dir: string): RuleResult[] => JSON.parse(readFileSync(join(dir, 'rules.json'), 'utf8'));

function tshark(args: string[]): string {
  const r = spawnSync('tshark', args, { encoding: 'utf8' });
  assert.equal(r.status, 0, `tshark ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

before(() => {
  for (const n of LEARN) dirs.set(n, runLearn(n));
});

test('ics-detach-with-call: BYEs answered, then REGISTER expiry 0, UAR DE_REGISTRATION, SAR, NOTIFY, 200 OK — in trace.jsonl and flows.mmd', () => {
  const dir = dirs.get('ics-detach-with-call')!;
  const t = trace(dir);
  const at = (pred: (r: TraceRecord) => boolean, what: string, after = -1) => {
    const i = t.findIndex((r, k) => k > after && pred(r));
    assert.ok(i > after, `${what} after record ${after}`);
    return i;
  };
  const detach = at((r) => r.kind === 'detach', 'the detach trigger');
  const byeOks = t.map((r, i) => [r, i] as const).filter(([r, i]) => i > detach && r.kind === '200 BYE' && r.to === 'msc');
  assert.equal(byeOks.length, 2, 'both dialogs released');
  const lastByeOk = byeOks[byeOks.length - 1][1];
  const reg = at((r) => r.kind === 'REGISTER' && r.from === 'msc' && /\r\nExpires: 0\r\n/.test(r.wire), 'REGISTER expiry 0', detach);
  assert.ok(reg > lastByeOk, 'the REGISTER comes after both BYEs are answered');
  const uar = at((r) => r.kind === 'UAR' && /User-Authorization-Type \(623, V 10415, M\): 1 DE_REGISTRATION/.test(r.wire), 'UAR DE_REGISTRATION', reg);
  const sar = at((r) => r.kind === 'SAR' && /Server-Assignment-Type \(614, V 10415, M\): 5 USER_DEREGISTRATION/.test(r.wire), 'SAR USER_DEREGISTRATION', uar);
  const notify = at((r) => r.kind === 'NOTIFY' && /Subscription-State: terminated/.test(r.wire), 'NOTIFY terminated', sar);
  const ok = at((r) => r.kind === '200 REGISTER' && r.to === 'msc', '200 OK to the MSC', sar);
  assert.ok(notify > sar && ok > sar);
  assert.deepEqual(t[reg].rules, ['24.292:6.3.6.2/1', '24.292:6.3.6.2/2', '24.292:6.3.6.2/3', '24.292:6.3.6.2/4', '24.292:6.3.6.2/5', '24.292:6.3.6.2/6', '24.292:6.3.6.2/7', '24.292:6.3.6.2/reg-event']);
  assert.ok(t.some((r) => r.kind === 'BYE' && r.from === 'msc' && r.rules.includes('24.292:6.3.6.2/pre')), 'the BYEs carry /pre');

  const mmd = readFileSync(join(dir, 'flows.mmd'), 'utf8').split('\n');
  const line = (re: RegExp, after = 0) => {
    const i = mmd.findIndex((l, k) => k > after && re.test(l));
    assert.ok(i > after, `flows.mmd: ${re}`);
    return i;
  };
  const m1 = line(/scscf->>msc: #\d+ [0-9.]+ ms 200 BYE/, line(/_workload_->>msc: #\d+ [0-9.]+ ms detach/));
  const m2 = line(/msc->>icscf: #\d+ [0-9.]+ ms REGISTER/, m1);
  const m3 = line(/icscf->>hss: #\d+ [0-9.]+ ms UAR/, m2);
  const m4 = line(/scscf->>hss: #\d+ [0-9.]+ ms SAR/, m3);
  line(/scscf->>msc: #\d+ [0-9.]+ ms NOTIFY/, m4);
  line(/icscf->>msc: #\d+ [0-9.]+ ms 200 REGISTER/, m4);
});

test('ics-detach-with-call: rules.json has every §6.3.6.2 rule and the TS 24.229 ones passed, with evidence', () => {
  const rs = rules(dirs.get('ics-detach-with-call')!);
  const ids = rs.map((r) => r.id);
  for (const id of ['/pre', '/1', '/2', '/3', '/4', '/5', '/6', '/7', '/on-200', '/reg-event'].map((s) => `24.292:6.3.6.2${s}`)) assert.ok(ids.includes(id), id);
  for (const r of rs) {
    assert.equal(r.status, 'passed', `${r.id}: ${r.detail}`);
    assert.ok(r.evidence.length > 0, `${r.id} cites the messages that prove it`);
  }
  assert.deepEqual(
    rs.filter((r) => r.id.startsWith('24.229')).map((r) => r.id),
    ['24.229:5.3.1.2/uar-type', '24.229:5.4.1.4/sar-type', '24.229:5.4.2.1.2/notify-state'],
  );
});

test('the learn scenarios: no rule failed; cancel-location shows the race, maintenance deregisters all 20', () => {
  for (const n of LEARN) for (const r of rules(dirs.get(n)!)) assert.notEqual(r.status, 'failed', `${n} ${r.id}: ${r.detail}`);
  const cl = trace(dirs.get('ics-cancel-location')!);
  const regB = cl.findIndex((r) => r.kind === 'REGISTER' && r.from === 'msc-b');
  const deregA = cl.findIndex((r) => r.kind === 'REGISTER' && r.from === 'msc-a' && /Expires: 0/.test(r.wire));
  assert.ok(regB > 0 && deregA > regB, 'msc-b registers, then msc-a deregisters');
  const okA = cl.find((r) => r.kind === '200 REGISTER' && r.to === 'msc-a' && /CSeq: 2 REGISTER/.test(r.wire))!;
  assert.match(okA.wire, /Contact: <sip:192\.0\.2\.11:5060>;expires=\d+/, "msc-a's deregistration removed nothing: msc-b's binding is listed");
  const summary = JSON.parse(readFileSync(join(dirs.get('ics-msc-maintenance')!, 'summary.json'), 'utf8'));
  assert.equal(summary.procedures['ics-deregistration'].completed, 20);
  assert.equal(summary.procedures['ics-registration'].completed, 20);
  assert.equal(summary.nodes.msc.signals['dereg.trigger.maintenance'], 20);
});

test('trace.pcapng: tshark finds no malformed packet and reads the deregistration REGISTER field by field', () => {
  for (const n of LEARN) {
    const f = join(dirs.get(n)!, 'trace.pcapng');
    assert.equal(tshark(['-r', f, '-Y', '_ws.malformed']).trim(), '', `${n}: malformed packets`);
    assert.equal(tshark(['-r', f, '-Y', '_ws.expert.severity == error']).trim(), '', `${n}: expert errors`);
  }
  const f = join(dirs.get('ics-detach-with-call')!, 'trace.pcapng');
  const rows = tshark([
    '-r', f, '-Y', 'sip.Method == "REGISTER" && sip.Expires == 0 && ip.src == 192.0.2.10', '-T', 'fields', '-E', 'separator=|',
    '-e', 'sip.Method', '-e', 'sip.r-uri', '-e', 'sip.from.addr', '-e', 'sip.to.addr', '-e', 'sip.Expires', '-e', 'sip.contact.uri',
    '-e', 'sip.contact.parameter', '-e', 'sip.Call-ID', '-e', 'sip.CSeq.seq', '-e', 'sip.Via.sent-by.address', '-e', 'sip.Via.branch',
  ]).trim().split('\n');
  assert.equal(rows.length, 1);
  const [method, ruri, from, to, expires, contact, cparams, callId, cseq, sentBy, branch] = rows[0].split('|');
  assert.equal(method, 'REGISTER');
  assert.equal(ruri, 'sip:ics.mnc015.mcc234.3gppnetwork.org');
  assert.equal(from, 'sip:234150999999999@ics.mnc015.mcc234.3gppnetwork.org');
  assert.equal(to, from);
  assert.equal(expires, '0');
  assert.equal(contact, 'sip:192.0.2.10:5060');
  assert.match(cparams, /\+sip\.instance="<urn:gsma:imei:35209900-000000-0>"/);
  assert.equal(sentBy, '192.0.2.10');
  assert.match(branch, /^z9hG4bK/);
  assert.equal(cseq, '2');
  const first = tshark(['-r', f, '-Y', 'sip.Method == "REGISTER" && sip.Expires > 0 && ip.src == 192.0.2.10', '-T', 'fields', '-e', 'sip.Call-ID']).trim();
  assert.equal(first, callId, 'the same Call-ID as the registration');
  const cx = tshark(['-r', f, '-Y', 'diameter', '-T', 'fields', '-E', 'separator=|', '-e', 'diameter.cmd.code', '-e', 'diameter.applicationId', '-e', 'diameter.flags.request', '-e', 'diameter.User-Authorization-Type', '-e', 'diameter.Server-Assignment-Type'])
    .trim()
    .split('\n');
  assert.deepEqual(cx.map((l) => l.split('|')[0]), ['300', '300', '301', '301', '300', '300', '301', '301']);
  assert.ok(cx.every((l) => l.split('|')[1] === '16777216'));
  assert.deepEqual(cx.map((l) => l.split('|')[3]).filter(Boolean), ['0', '1'], 'UAR REGISTRATION then DE_REGISTRATION');
  assert.deepEqual(cx.map((l) => l.split('|')[4]).filter(Boolean), ['1', '5'], 'SAR REGISTRATION then USER_DEREGISTRATION');
});

test('sip.js reads every SIP message of the learn scenarios as RegLab meant it', () => {
  let n = 0;
  for (const name of LEARN) {
    for (const r of trace(dirs.get(name)!)) {
      if (r.proto !== 'sip' || r.event !== 'delivered') continue;
      n++;
      const what = `${name} record ${r.seq} (${r.kind})`;
      assert.equal(Buffer.byteLength(r.wire, 'utf8'), r.bytes, `${what}: bytes`);
      const p = parseSip(r.wire);
      assert.ok(p.ok, `${what}: RegLab's strict parser: ${p.ok ? '' : p.error.reason}`);
      const f = p.fields;
      const s = readWithSipJs(r.wire);
      assert.equal(s.method, f.cseq.method, `${what}: method`);
      if (p.msg.isRequest) assert.equal(s.ruri, p.msg.requestUri, `${what}: Request-URI`);
      else assert.equal(s.status, p.msg.status, `${what}: status`);
      assert.equal(s.headers.from.uri, f.from.uriText, `${what}: From`);
      assert.equal(s.headers.to.uri, f.to.uriText, `${what}: To`);
      assert.equal(s.headers.callId, f.callId, `${what}: Call-ID`);
      assert.deepEqual(s.headers.cseq, { seq: f.cseq.seq, method: f.cseq.method }, `${what}: CSeq`);
      assert.equal(s.headers.expires, f.expires, `${what}: Expires`);
      assert.equal(s.headers.contentLength, Buffer.byteLength(p.msg.body, 'utf8'), `${what}: Content-Length`);
      assert.equal(s.headers.via.length, f.via.length, `${what}: Via count`);
      for (const v of s.headers.via) assert.match(v.branch ?? '', /^z9hG4bK/, `${what}: branch cookie`);
      if (p.msg.isRequest) assert.ok((s.headers.maxForwards ?? 0) > 0, `${what}: Max-Forwards`);
      const cs = f.contacts === '*' ? [] : f.contacts;
      assert.equal(s.headers.contact.length, cs.length, `${what}: Contact count`);
      cs.forEach((c, i) => {
        assert.equal(s.headers.contact[i].uri, c.uriText, `${what}: Contact URI`);
        for (const k of ['+sip.instance', 'expires']) assert.equal(s.headers.contact[i].params[k] ?? undefined, param(c.params, k), `${what}: Contact ${k}`);
      });
    }
  }
  assert.ok(n > 100, `${n} SIP messages read`);
});

test('mutation: the rule checker fails a model broken on purpose (fresh Call-ID, no +sip.instance, REGISTER before the BYEs are answered)', () => {
  const cases: [string, string, RegExp][] = [
    ['fresh-call-id', '24.292:6.3.6.2/7', /Call-ID .* is not the registration's/],
    ['no-instance', '24.292:6.3.6.2/4', /no \+sip\.instance/],
    ['register-before-bye-answers', '24.292:6.3.6.2/pre', /BYE .* was not answered before the REGISTER was sent/],
  ];
  for (const [mutation, id, why] of cases) {
    const dir = join(TMP, `strict-${mutation}`);
    const strict = reglab(['run', join(ROOT, 'scenarios/learn/ics-detach-with-call.yaml'), '--set', `nodes[0].params.testMutation=${mutation}`, '--strict', '--quiet', '--out', dir]);
    assert.equal(strict.status, 1, '--strict exits 1 on a violated rule');
    const r = rules(dir).find((x) => x.id === id)!;
    assert.equal(r.status, 'failed', `${mutation} → ${id}`);
    assert.match(r.detail, why);
    assert.ok(r.evidence.length > 0, 'the failing message is cited');
  }
});

test('mutation on hand-modified traces: each rule fails when its step is broken in one message', async () => {
  const run = await runScenario(loadScenarioFile(join(ROOT, 'scenarios/learn/ics-detach-with-call.yaml')));
  const base = run.entries;
  const ok = evaluateRules(IMS_RULES, base);
  assert.ok(ok.every((r) => r.status === 'passed'), 'the unmodified trace passes');
  const isDereg = (e: TraceEntry) => e.msg instanceof ImsSip && e.msg.method === 'REGISTER' && e.msg.status === 0 && e.msg.via!.next === null && e.msg.expires === 0;
  /** The trace with one message replaced by a modified copy. */
  const mutate = (pick: (e: TraceEntry) => boolean, change: (m: ImsSip | CxMessage) => void): TraceEntry[] =>
    base.map((e) => {
      if (!pick(e)) return e;
      const m = e.msg instanceof ImsSip ? e.msg.copy() : Object.assign(Object.create(Object.getPrototypeOf(e.msg)), e.msg);
      if (m instanceof ImsSip) m.sentAt = (e.msg as ImsSip).sentAt;
      change(m);
      if (m instanceof ImsSip) m.seal(e.msg.procedure, e.msg.rules);
      return { rec: { ...e.rec, wire: m.wire!() }, msg: m };
    });
  const failed = (t: TraceEntry[]) => evaluateRules(IMS_RULES, t).filter((r) => r.status === 'failed').map((r) => r.id);
  const check = (what: string, t: TraceEntry[], id: string) => assert.ok(failed(t).includes(id), `${what} → ${id} fails (failed: ${failed(t).join(', ')})`);
  check('Request-URI = the public identity', mutate(isDereg, (m) => ((m as ImsSip).ruri = Ruri.Public)), '24.292:6.3.6.2/1');
  check('From = another identity of the set', mutate(isDereg, (m) => ((m as ImsSip).fromK = 2)), '24.292:6.3.6.2/2');
  check('To = another identity of the set', mutate(isDereg, (m) => ((m as ImsSip).toK = 2)), '24.292:6.3.6.2/3');
  check('Contact = the I-CSCF', mutate(isDereg, (m) => ((m as ImsSip).contactNode = 1)), '24.292:6.3.6.2/4');
  check('+sip.instance of another device', mutate(isDereg, (m) => ((m as ImsSip).contactInstance = 7)), '24.292:6.3.6.2/4');
  check('Via sent-by = the I-CSCF', mutate(isDereg, (m) => ((m as ImsSip).via = new (Object.getPrototypeOf((m as ImsSip).via).constructor)(1, 99, false, null))), '24.292:6.3.6.2/5');
  check('Expires: 5', mutate(isDereg, (m) => ((m as ImsSip).expires = 5)), '24.229:5.3.1.2/uar-type');
  check('no auth-done', mutate(isDereg, (m) => ((m as ImsSip).authDone = false)), '24.292:6.3.6.2/7');
  check('CSeq not + 1', mutate(isDereg, (m) => ((m as ImsSip).cseq = 7)), '24.292:6.3.6.2/7');
  check('UAR type REGISTRATION for expiry 0', mutate((e) => e.msg instanceof CxMessage && e.msg.kind === 'UAR' && e.msg.authType === UserAuthorizationType.DeRegistration, (m) => ((m as CxMessage).authType = UserAuthorizationType.Registration)), '24.229:5.3.1.2/uar-type');
  check('SAR REGISTRATION for expiry 0', mutate((e) => e.msg instanceof CxMessage && e.msg.kind === 'SAR' && e.msg.assignmentType === ServerAssignmentType.UserDeregistration, (m) => ((m as CxMessage).assignmentType = ServerAssignmentType.Registration)), '24.229:5.4.1.4/sar-type');
  check('NOTIFY keeps the subscription active', mutate((e) => e.msg instanceof ImsSip && e.msg.method === 'NOTIFY' && e.msg.status === 0 && e.msg.regTerminated, (m) => ((m as ImsSip).subTerminated = false)), '24.229:5.4.2.1.2/notify-state');
  check('NOTIFY reports the registration active', mutate((e) => e.msg instanceof ImsSip && e.msg.method === 'NOTIFY' && e.msg.status === 0 && e.msg.regTerminated, (m) => ((m as ImsSip).regTerminated = false)), '24.229:5.4.2.1.2/notify-state');
  // An unsubscribe the MSC should never send, and a REGISTER after the 200 OK reusing the removed registration.
  const deregIdx = base.findIndex(isDereg);
  const dereg = base[deregIdx];
  const sub0 = base.find((e) => e.msg instanceof ImsSip && e.msg.method === 'SUBSCRIBE' && e.msg.status === 0)!;
  const unsub = (sub0.msg as ImsSip).copy();
  unsub.expires = 0;
  unsub.cseq = 2;
  unsub.sentAt = dereg.rec.t - 1;
  unsub.seal(undefined, undefined);
  const withUnsub = [...base.slice(0, deregIdx), { rec: { ...sub0.rec, seq: 0, t: dereg.rec.t - 1, wire: unsub.wire() }, msg: unsub }, ...base.slice(deregIdx)].map((e, i) => ({ rec: { ...e.rec, seq: i }, msg: e.msg }));
  check('an unsubscribe sent', withUnsub, '24.292:6.3.6.2/reg-event');
  const again = (dereg.msg as ImsSip).copy();
  again.expires = 600000;
  again.cseq = 3;
  again.sentAt = base[base.length - 1].rec.t + 1;
  again.seal(undefined, undefined);
  const afterOk = [...base, { rec: { ...dereg.rec, seq: base.length, t: again.sentAt, wire: again.wire() }, msg: again }];
  check('the removed registration used after its 200 OK', afterOk, '24.292:6.3.6.2/on-200');
});

test('bad scenarios are refused naming the field: implicit set of 0, negative share, a trigger for an unknown MSC', () => {
  const text = readFileSync(join(ROOT, 'scenarios/learn/ics-detach-with-call.yaml'), 'utf8');
  const bad: [string, string, RegExp][] = [
    ['implicit-set-0', text.replace('implicitSet: 3', 'implicitSet: 0'), /ims\.implicitSet: 0 is too small — must be ≥ 1/],
    ['negative-share', text.replace('share: 1,', 'share: -0.2,'), /ims\.sessions\.share: .*not a probability/],
    ['unknown-msc', text.replace('{ target: msc, event: detach', '{ target: msc-9, event: detach'), /workload\[1\]\.target: no node 'msc-9' — declared nodes: msc, icscf/],
    ['unknown-ref', text.replace('params: { icscf: icscf, farEnd: far', 'params: { icscf: icscf-x, farEnd: far'), /nodes\[0\]\.params\.icscf: no node 'icscf-x'/],
    ['bad-policy', text.replace('sessionSetupAfter: 1s }', 'sessionSetupAfter: 1s, policies: { deregFailure: give-up } }'), /nodes\[0\]\.params\.policies\.deregFailure/],
  ];
  for (const [name, body, why] of bad) assert.throws(() => loadScenarioText(body, `${name}.yaml`), why, name);
  // The CLI reports the schema problems together, with exit code 2.
  const f = join(TMP, 'all-bad.yaml');
  writeFileSync(f, bad[0][1].replace('share: 1,', 'share: -0.2,'));
  const r = reglab(['validate', f]);
  assert.equal(r.status, 2);
  for (const [, , why] of bad.slice(0, 2)) assert.match(r.stderr + r.stdout, why);
});

test('sizing: the pre-registered storm scenario, scaled down to 3000 subscribers, deregisters everyone with every rule passed', async () => {
  const sc = loadScenarioFile(join(ROOT, 'scenarios/sizing/ics-msc-restart-1m.yaml'), {
    set: ['population.size=3000', 'nodes[0].params.sweepSpread=300ms', 'duration=2s'],
  });
  assert.match(sc.description, /PRE-REGISTERED/);
  const r = await runScenario(sc);
  assert.equal(r.summary.procedures['ics-deregistration'].completed, 3000);
  assert.equal(r.summary.procedures['ics-deregistration'].failed, 0);
  for (const x of r.rules) assert.notEqual(x.status, 'failed', `${x.id}: ${x.detail}`);
  assert.equal(r.rules.find((x) => x.id === '24.292:6.3.6.2/1')!.status, 'passed');
  const far = r.summary.nodes.far.signals['dialog.released'] ?? 0;
  assert.ok(far > 200 && far < 400, `about 10% of the subscribers had a session to release (${far})`);
  const again = await runScenario(loadScenarioFile(join(ROOT, 'scenarios/sizing/ics-msc-restart-1m.yaml'), { set: ['population.size=3000', 'nodes[0].params.sweepSpread=300ms', 'duration=2s'] }));
  assert.equal(again.summary.traceHash, r.summary.traceHash, 'same scenario + seed → same trace hash');
});
