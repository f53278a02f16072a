/**
 * DNS rebinding defence (issue 11 item 4): a page on evil.example can make its name resolve to
 * 127.0.0.1 and then talk to this server as a same-origin page — Origin and Host both say
 * evil.example, so an Origin check alone passes. The Host header is what such a page cannot fake:
 * only names of this server are accepted (localhost, any IP literal — a page served from an IP
 * is that IP's origin, nothing to rebind — and the names the operator gives with --host or
 * --allow-host).
 */
import { isIP } from 'node:net';

export function hostAllowed(hostHeader: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (!hostHeader) return false;
  const name = hostName(hostHeader);
  if (name === undefined) return false;
  return name === 'localhost' || isIP(name) !== 0 || allowed.has(name);
}

/** 'Example.org:8080' → 'example.org'; '[::1]:80' → '::1'; malformed → undefined. */
export function hostName(hostHeader: string): string | undefined {
  const h = hostHeader.trim().toLowerCase();
  const v6 = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(h);
  if (v6) return v6[1];
  const m = /^([a-z0-9.-]+)(?::\d{1,5})?$/.exec(h);
  return m ? m[1].replace(/\.$/, '') : undefined;
}

/** The names a server bound to `host` answers to, plus the operator's extra ones. */
export function allowedHostNames(host: string, extra: readonly string[] = []): Set<string> {
  const names = new Set(extra.map((x) => hostName(x) ?? x.toLowerCase()));
  if (isIP(host) === 0) names.add(host.toLowerCase());
  return names;
}
