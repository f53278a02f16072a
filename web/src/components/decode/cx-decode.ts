/**
 * A Diameter Cx message as its AVP tree, read from the readable dump sim/ims/cx.ts renders (the
 * header line, the Application-Id line, then one AVP per line, grouped AVPs indented beneath).
 * Never throws: a dump it cannot read gives `ok: false` and the raw view shows the text.
 */

export interface AvpNode {
  name: string;
  code: number;
  vendor?: number;
  mandatory: boolean;
  value: string;
  children: AvpNode[];
  start: number;
  end: number;
}

export type CxDecode =
  | {
      ok: true;
      command: string;
      commandCode: number;
      flags: string[];
      length?: number;
      header: string[];
      avps: AvpNode[];
    }
  | { ok: false; reason: string };

const HEAD = /^Diameter v1, (\d+) bytes: (.+?), command code (\d+), flags ?(.*)$/;
const AVP = /^( *)([A-Za-z0-9-]+) \((\d+)(?:, V (\d+))?(, M)?\):\s?(.*)$/;

export function decodeCx(wire: string): CxDecode {
  const lines = wire.split('\n');
  const head = HEAD.exec(lines[0] ?? '');
  if (!head) return { ok: false, reason: `not a Diameter dump: "${(lines[0] ?? '').slice(0, 80)}"` };
  const avps: AvpNode[] = [];
  const header: string[] = [];
  const stack: { indent: number; node: AvpNode }[] = [];
  let pos = (lines[0]?.length ?? 0) + 1;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const start = pos;
    pos += line.length + 1;
    if (!line.trim()) continue;
    const m = AVP.exec(line);
    if (!m) {
      header.push(line.trim());
      continue;
    }
    const node: AvpNode = {
      name: m[2]!,
      code: Number(m[3]),
      ...(m[4] ? { vendor: Number(m[4]) } : {}),
      mandatory: Boolean(m[5]),
      value: m[6] ?? '',
      children: [],
      start,
      end: start + line.length,
    };
    const indent = m[1]!.length;
    while (stack.length && stack[stack.length - 1]!.indent >= indent) stack.pop();
    if (stack.length) stack[stack.length - 1]!.node.children.push(node);
    else avps.push(node);
    stack.push({ indent, node });
  }
  const flagText = head[4]!.trim();
  const flags = flagText ? flagText.split(/\s+/) : [];
  return { ok: true, command: head[2]!, commandCode: Number(head[3]), flags, length: Number(head[1]), header, avps };
}

/** Diameter header flags by their letter (RFC 6733 §3). */
export const DIAMETER_FLAGS: Readonly<Record<string, string>> = { R: 'Request', P: 'Proxiable', E: 'Error', T: 'Potentially retransmitted' };
