import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { CAUSE_LIST, causeCode } from '../../sim/msgin5g/causes.ts';
import { API_ROOT, ENCODING_LABEL, GW_API_ROOT, PATH } from '../../sim/msgin5g/http.ts';
import { DEREG, REG } from '../../sim/msgin5g/ies.ts';
import {
  BulkRequest,
  BulkResponse,
  DeregistrationResponse,
  RegistrationRequest,
  RegistrationResponse,
  UeAuthRequest,
  UeAuthResponse,
  problem,
} from '../../sim/msgin5g/messages.ts';
import { channel, directory } from './harness.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const api = YAML.parse(readFileSync(`${ROOT}docs/openapi/msgin5g-gateway.yaml`, 'utf8'));

type Schema = Record<string, any>;
function resolve(s: Schema): Schema {
  return s.$ref ? resolve(api.components.schemas[s.$ref.split('/').pop()]) : s;
}
/** A small JSON Schema check (the subset the file uses): returns the first problem or undefined. */
function check(value: unknown, schema: Schema, at = '$'): string | undefined {
  const s = resolve(schema);
  if (s.enum && !s.enum.includes(value)) return `${at}: ${JSON.stringify(value)} not in enum`;
  if (s.type === 'object') {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `${at}: not an object`;
    for (const r of s.required ?? []) if (!(r in value)) return `${at}: missing ${r}`;
    for (const [k, v] of Object.entries(value)) {
      const p = s.properties?.[k];
      if (!p) {
        if (s.additionalProperties === false) return `${at}: unexpected ${k}`;
        continue;
      }
      const e = check(v, p, `${at}.${k}`);
      if (e) return e;
    }
  }
  if (s.type === 'array') {
    if (!Array.isArray(value)) return `${at}: not an array`;
    for (let i = 0; i < value.length; i++) {
      const e = check(value[i], s.items, `${at}[${i}]`);
      if (e) return e;
    }
  }
  if (s.type === 'string' && typeof value !== 'string') return `${at}: not a string`;
  if (s.type === 'string' && s.pattern && !new RegExp(s.pattern).test(value as string)) return `${at}: ${value} does not match ${s.pattern}`;
  if (s.type === 'integer' && !Number.isInteger(value)) return `${at}: not an integer`;
  if (s.type === 'boolean' && typeof value !== 'boolean') return `${at}: not a boolean`;
  return undefined;
}

test('the OpenAPI file says non-standard and lists the same paths, label and causes as the code', () => {
  assert.match(api.info.title, /NON-STANDARD/);
  assert.equal(api.servers[0].url.replace('{server}', 'server'), `http://server:8080${API_ROOT}`);
  const paths = Object.keys(api.paths).map((p) => (p === '/ue-authentications' ? `${GW_API_ROOT}${p}` : `${API_ROOT}${p}`));
  assert.deepEqual(paths, [PATH.registrations, `${PATH.registrations}/{ueServiceId}`, PATH.bulkRegistrations, PATH.bulkDeregistrations, PATH.ueAuthentications]);
  assert.deepEqual(api.components.parameters.Encoding.schema.enum, [ENCODING_LABEL]);
  assert.deepEqual(api.components.schemas.FailureCause.enum, CAUSE_LIST);
});

test('every message body the model writes conforms to the OpenAPI schema', () => {
  const dir = directory(1000, { profileShare: 0.8 });
  const ch = channel(dir);
  const S = (n: string) => api.components.schemas[n];
  const subs = Int32Array.from({ length: 50 }, (_, i) => i * 7);
  const results = Uint8Array.from({ length: 50 }, (_, i) => (i % 5 === 0 ? causeCode('NOT_AUTHORISED') : 0));
  const cases: [unknown, Schema][] = [
    ...Array.from(subs, (ue) => [new RegistrationRequest(ch, ue, 1, 0, 'urgent').body(), S('RegistrationRequest')] as [unknown, Schema]),
    [new RegistrationResponse(ch, 3, 1, 0, 201, 0, 0).body(), S('RegistrationResponse')],
    [new RegistrationResponse(ch, 3, 1, 0, 403, causeCode('AUTHENTICATION_FAILED'), 0).body(), S('RegistrationResponse')],
    [new DeregistrationResponse(ch, 3, 1, 0, 404, causeCode('UNKNOWN_UE_SERVICE_ID'), 0).body(), S('DeregistrationResponse')],
    [new BulkRequest(REG, ch, subs, 1, 0, undefined).body(), S('BulkRegistrationRequest')],
    [new BulkRequest(DEREG, ch, subs, 1, 0, undefined).body(), S('BulkDeregistrationRequest')],
    [new BulkResponse(REG, ch, 200, subs, results, 1, 0, undefined).body(), S('BulkRegistrationResponse')],
    [new BulkResponse(DEREG, ch, 200, subs, results, 1, 0, undefined).body(), S('BulkDeregistrationResponse')],
    [problem('BULK_COUNT_MISMATCH', 400, 'x'), S('ProblemDetails')],
    [new UeAuthRequest(ch, 5, 1, 0, 0, REG, 123).body(), api.paths['/ue-authentications'].post.requestBody.content['application/json'].schema],
    [new UeAuthResponse(ch, 5, 1, 0, 0, REG, 'abcdef0123456789').body(), api.paths['/ue-authentications'].post.responses['200'].content['application/json'].schema],
  ];
  for (const [body, schema] of cases) assert.equal(check(body, schema), undefined, JSON.stringify(body));
  // And the checker does catch a body that breaks the schema.
  assert.match(check({ ueServiceId: 'a', ueCredential: 'b', urgency: 1 }, S('RegistrationRequest'))!, /unexpected urgency/);
});
