/** A well-formed OPTIONS request, built from header lines a test changes one at a time (parser tests). */

/** The header lines of a well-formed OPTIONS request (Content-Length is added by optionsRequest). */
export const OPTIONS_HEADERS: readonly string[] = [
  'Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK1',
  'Max-Forwards: 70',
  'From: <sip:a@example.com>;tag=1',
  'To: <sip:b@example.com>',
  'Call-ID: c1@h',
  'CSeq: 1 OPTIONS',
];

/** The request text: start line, the header lines, Content-Length (unless `cl: false`), blank line, body. */
export function optionsRequest(headers: readonly string[] = OPTIONS_HEADERS, opts: { start?: string; body?: string; cl?: boolean } = {}): string {
  const body = opts.body ?? '';
  const lines = [opts.start ?? 'OPTIONS sip:b@example.com SIP/2.0', ...headers];
  if (opts.cl !== false) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

/** OPTIONS_HEADERS with header `name`'s line replaced by `line` (left out when undefined). */
export function swapHeader(name: string, line: string | undefined): string[] {
  return OPTIONS_HEADERS.flatMap((h) => (h.toLowerCase().startsWith(name.toLowerCase() + ':') ? (line === undefined ? [] : [line]) : [h]));
}
