/**
 * Serves the built dashboard (web/dist) read-only. Only files inside the folder are served: the URL
 * path is decoded once, normalized, and refused if it would leave the folder (`..`, encoded `%2e%2e`,
 * backslashes, NUL, or a symlink pointing outside). Everything else is 404.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { isInside } from './scenarios.ts';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export type StaticResult = 'served' | 'not-found' | 'bad-request';

/**
 * Answers GET/HEAD for `urlPath` (the URL's path, still percent-encoded) from `distDir`.
 * Returns what it did; on 'not-found' / 'bad-request' nothing has been written yet, so the caller
 * chooses the error page.
 */
export async function serveStatic(distDir: string, urlPath: string, req: IncomingMessage, res: ServerResponse): Promise<StaticResult> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return 'bad-request';
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return 'bad-request';
  const root = resolve(distDir);
  const rel = normalize(decoded === '/' ? '/index.html' : decoded).replace(/^[/\\]+/, '');
  const full = join(root, rel);
  if (!isInside(root, full)) return 'bad-request';
  let real: string;
  let size: number;
  try {
    real = await realpath(full);
    const st = await stat(real);
    if (!st.isFile()) return 'not-found';
    size = st.size;
    if (!isInside(await realpath(root), real)) return 'not-found';
  } catch {
    return 'not-found';
  }
  const type = CONTENT_TYPES[extname(real).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    'Content-Type': type,
    'Content-Length': size,
    'X-Content-Type-Options': 'nosniff',
    // Vite puts a content hash in every asset name, so assets never change; index.html does.
    'Cache-Control': rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return 'served';
  }
  await new Promise<void>((done) => {
    const s = createReadStream(real);
    s.on('error', () => {
      res.destroy();
      done();
    });
    s.on('end', done);
    s.pipe(res);
  });
  return 'served';
}
