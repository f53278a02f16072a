/**
 * Where the IEs of a rendered MSGin5G message sit in its text, for the trace's marks: the message
 * classes say which IE realises which step of TS 23.554 (they wrote the JSON), this finds the
 * characters of those top-level fields ("key": value) in the compact JSON they rendered.
 */
import type { WireMark } from '../observe/records.ts';

/** Marks for top-level fields of the JSON body at `bodyStart` of `text`: field name → rule ids. */
export function fieldMarks(text: string, bodyStart: number, fields: Readonly<Record<string, readonly string[]>>): WireMark[] {
  const marks: WireMark[] = [];
  let depth = 0;
  for (let i = bodyStart; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const close = stringEnd(text, i);
      // A key of the top-level object: a string at depth 1 followed by ':'.
      if (depth === 1 && text[close + 1] === ':') {
        const key = text.slice(i + 1, close);
        const end = valueEnd(text, close + 2);
        for (const rule of fields[key] ?? []) marks.push({ rule, start: i, end });
        i = end - 1;
        continue;
      }
      i = close;
    } else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
  }
  return marks;
}

/** Index of the quote closing the string that opens at `open`. */
function stringEnd(s: string, open: number): number {
  let i = open + 1;
  while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
  return i;
}

/** End (exclusive) of the JSON value starting at `from`. */
function valueEnd(s: string, from: number): number {
  let depth = 0;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '"') i = stringEnd(s, i);
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) return i;
      depth--;
      if (depth === 0) return i + 1;
    } else if (c === ',' && depth === 0) return i;
  }
  return s.length;
}
