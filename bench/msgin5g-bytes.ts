/**
 * Benchmark "msgin5g-bytes": what exact sizes cost. Every MSGin5G message knows its exact wire size
 * (`bytes`) without rendering its text (DESIGN principle 5); this measures that against rendering the
 * HTTP/1.1 + JSON text and measuring it, for individual registrations and bulks of 100.
 *
 *   node --import tsx bench/msgin5g-bytes.ts [--n 1000000]
 */
import { parseArgs } from 'node:util';
import { gatewayToken, type Channel } from '../sim/msgin5g/http.ts';
import { REG } from '../sim/msgin5g/ies.ts';
import { BulkRequest, RegistrationRequest } from '../sim/msgin5g/messages.ts';
import { UeDirectory } from '../sim/msgin5g/ue-directory.ts';
import { DEFAULT_UES } from '../sim/scenario/types/msgin5g.ts';

const { values } = parseArgs({ options: { n: { type: 'string', default: '1000000' } } });
const N = Number(values.n);
const dir = new UeDirectory(N, DEFAULT_UES);
const ch: Channel = { host: 'server:8080', userAgent: 'RegLab-Message-Gateway/gw (MSGin5G-2)', token: gatewayToken('gw'), gateway: 'gw', dir };

function time(label: string, fn: () => number): void {
  const runs: number[] = [];
  let check = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    check = fn();
    runs.push(performance.now() - t0);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label.padEnd(52)} ${runs[2].toFixed(0).padStart(6)} ms (median of 5)  [${check} bytes]`);
}

console.log(`msgin5g-bytes: ${N} UEs`);
time(`${N} registrations: build, size computed`, () => {
  let s = 0;
  for (let ue = 0; ue < N; ue++) s += new RegistrationRequest(ch, ue, ue, 0, 'bulking-off').bytes;
  return s;
});
time(`${N} registrations: build + render wire() + measure`, () => {
  let s = 0;
  for (let ue = 0; ue < N; ue++) s += Buffer.byteLength(new RegistrationRequest(ch, ue, ue, 0, 'bulking-off').wire());
  return s;
});
const bulks = N / 100;
time(`${bulks} bulks of 100: build, size computed`, () => {
  let s = 0;
  for (let b = 0; b < bulks; b++) s += new BulkRequest(REG, ch, Int32Array.from({ length: 100 }, (_, i) => b * 100 + i), b, 0, undefined).bytes;
  return s;
});
time(`${bulks} bulks of 100: build + render wire() + measure`, () => {
  let s = 0;
  for (let b = 0; b < bulks; b++) s += Buffer.byteLength(new BulkRequest(REG, ch, Int32Array.from({ length: 100 }, (_, i) => b * 100 + i), b, 0, undefined).wire());
  return s;
});
