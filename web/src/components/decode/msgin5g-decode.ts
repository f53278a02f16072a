/**
 * An MSGin5G message (RegLab's non-standard HTTP/JSON encoding) for the decoded view: the HTTP
 * start line and headers, then the JSON body as a tree whose keys carry the IE names of TS 23.554's
 * tables. Each node keeps its character range in the wire text, so a spec step's mark on a JSON
 * field lights the node. Never throws: bad JSON gives the parse error and the raw body.
 */
import { MSGIN5G_IE_NAMES } from '../../spec/spec-steps.ts';

export interface JsonNode {
  key?: string;
  /** The IE's name in the spec tables, when the key is one. */
  ie?: string;
  /** Scalars as JSON text; objects/arrays have children. */
  value?: string;
  kind: 'object' | 'array' | 'scalar';
  children: JsonNode[];
  start: number;
  end: number;
}

export type Msgin5gDecode =
  | { ok: true; startLine: string; headers: { name: string; value: string; start: number; end: number }[]; body?: JsonNode; bodyError?: string; bodyText: string }
  | { ok: false; reason: string };

export function decodeMsgin5g(wire: string): Msgin5gDecode {
  if (!wire) return { ok: false, reason: 'no wire text (the run did not render this message)' };
  const sep = wire.indexOf('\r\n\r\n') >= 0 ? '\r\n' : '\n';
  const headEnd = wire.indexOf(sep + sep);
  const end = headEnd < 0 ? wire.length : headEnd;
  const lines: { text: string; start: number }[] = [];
  for (let pos = 0; pos < end; ) {
    let nl = wire.indexOf(sep, pos);
    if (nl < 0 || nl > end) nl = end;
    lines.push({ text: wire.slice(pos, nl), start: pos });
    pos = nl + sep.length;
  }
  const first = lines.shift();
  if (!first || !/^(HTTP\/1\.[01] \d{3}|[A-Z]+ \S+ HTTP\/1\.[01])/.test(first.text)) {
    return { ok: false, reason: `not an HTTP start line: "${(first?.text ?? '').slice(0, 80)}"` };
  }
  const headers = lines.map((l) => {
    const c = l.text.indexOf(':');
    return { name: c > 0 ? l.text.slice(0, c) : '(malformed)', value: c > 0 ? l.text.slice(c + 1).trim() : l.text, start: l.start, end: l.start + l.text.length };
  });
  const bodyStart = headEnd < 0 ? wire.length : headEnd + 2 * sep.length;
  const bodyText = wire.slice(bodyStart);
  if (!bodyText.trim()) return { ok: true, startLine: first.text, headers, bodyText };
  try {
    const p = new SpanParser(wire, bodyStart);
    const body = p.value();
    p.ws();
    if (p.i < wire.length) throw new Error(`unexpected text at character ${p.i - bodyStart} of the body`);
    return { ok: true, startLine: first.text, headers, body, bodyText };
  } catch (e) {
    return { ok: true, startLine: first.text, headers, bodyError: (e as Error).message, bodyText };
  }
}

/** A small JSON reader that keeps where every value is (JSON.parse forgets positions). */
class SpanParser {
  i: number;
  constructor(
    private readonly s: string,
    start: number,
  ) {
    this.i = start;
  }

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  /** The members of an object or array, from its opening bracket (at i) to `close`, comma-separated. */
  items(close: '}' | ']', item: (n: number) => JsonNode): JsonNode[] {
    this.i++;
    const children: JsonNode[] = [];
    this.ws();
    if (this.s[this.i] === close) {
      this.i++;
      return children;
    }
    for (;;) {
      children.push(item(children.length));
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else {
        this.expect(close);
        return children;
      }
    }
  }

  value(key?: string, keyStart?: number): JsonNode {
    this.ws();
    const start = keyStart ?? this.i;
    const ch = this.s[this.i];
    const base = { ...(key !== undefined ? { key, ...(MSGIN5G_IE_NAMES[key] ? { ie: MSGIN5G_IE_NAMES[key] } : {}) } : {}) };
    if (ch === '{') {
      const children = this.items('}', () => {
        this.ws();
        const ks = this.i;
        const k = this.string();
        this.ws();
        this.expect(':');
        return this.value(k, ks);
      });
      return { ...base, kind: 'object', children, start, end: this.i };
    }
    if (ch === '[') {
      const children = this.items(']', (n) => ({ ...this.value(`${n}`), ie: undefined }));
      return { ...base, kind: 'array', children, start, end: this.i };
    }
    const vs = this.i;
    if (ch === '"') this.string();
    else {
      const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(this.s.slice(this.i, this.i + 64));
      if (!m) throw new Error(`unexpected "${ch ?? 'end of text'}" in the JSON body`);
      this.i += m[0].length;
    }
    return { ...base, kind: 'scalar', value: this.s.slice(vs, this.i), children: [], start, end: this.i };
  }

  private string(): string {
    this.expect('"');
    const from = this.i - 1;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    this.expect('"');
    return JSON.parse(this.s.slice(from, this.i)) as string;
  }

  private expect(c: string): void {
    if (this.s[this.i] !== c) throw new Error(`expected "${c}" in the JSON body, found "${this.s[this.i] ?? 'end of text'}"`);
    this.i++;
  }
}
