/**
 * One renderer, two sinks: every IMS message describes its wire text once, as a sequence of
 * `s()` / `dec()` / `hex()` calls on a sink. The LengthSink adds up lengths (for the exact `bytes`
 * of every message, watched or not: DESIGN principle 5); the StringSink builds the text (only for
 * watched subscribers, exports and tests). Because both run the same code, the byte count cannot
 * drift from the text.
 *
 * Everything written is ASCII (identities are digits, node ids are [A-Za-z0-9_.-], reason phrases
 * are RFC 3261's), so a string's length is its UTF-8 length; a test checks bytes against
 * Buffer.byteLength(wire()) for every message kind.
 */
export interface TextSink {
  /** A literal (ASCII). */
  s(x: string): void;
  /** A non-negative integer in decimal, zero-padded to `width` digits. */
  dec(x: number, width?: number): void;
  /** A non-negative integer below 2^32 in lower-case hex, zero-padded to `width` digits. */
  hex(x: number, width?: number): void;
  /** Marking sinks only: where the next character goes. */
  at?(): number;
  /** Marking sinks only: the text from `start` to here (less a closing CRLF) realises `rule`. */
  mark?(rule: string, start: number): void;
}

export class LengthSink implements TextSink {
  len = 0;
  s(x: string): void {
    this.len += x.length;
  }
  dec(x: number, width = 1): void {
    const d = decDigits(x);
    this.len += d > width ? d : width;
  }
  hex(x: number, width = 1): void {
    const d = hexDigits(x);
    this.len += d > width ? d : width;
  }
}

export class StringSink implements TextSink {
  out = '';
  s(x: string): void {
    this.out += x;
  }
  dec(x: number, width = 1): void {
    this.out += String(x).padStart(width, '0');
  }
  hex(x: number, width = 1): void {
    this.out += (x >>> 0).toString(16).padStart(width, '0');
  }
}

/**
 * A StringSink that also notes where each cited spec step shows in the text (TraceRecord.marks):
 * the code that writes a header knows which rule put it there, so the dashboard never guesses.
 */
export class MarkingSink extends StringSink {
  readonly marks: { rule: string; start: number; end: number }[] = [];
  at(): number {
    return this.out.length;
  }
  mark(rule: string, start: number): void {
    let end = this.out.length;
    if (end - start >= 2 && this.out.endsWith('\r\n')) end -= 2;
    this.marks.push({ rule, start, end });
  }
}

export function decDigits(x: number): number {
  if (x < 10) return 1;
  if (x < 100) return 2;
  if (x < 1000) return 3;
  if (x < 10000) return 4;
  if (x < 100000) return 5;
  if (x < 1000000) return 6;
  if (x < 10000000) return 7;
  if (x < 100000000) return 8;
  if (x < 1000000000) return 9;
  return String(x).length;
}

export function hexDigits(x: number): number {
  x = x >>> 0;
  let d = 1;
  while (x >= 16) {
    x = Math.floor(x / 16);
    d++;
  }
  return d;
}
