/**
 * "Build the dashboard if needed" for `reglab serve --build-if-needed` and the browser tests.
 *
 * A build is needed when web/dist has no build stamp (never built, or a build that did not finish)
 * or when any source (web/src/**, web/index.html, web/vite.config.ts) is newer than the stamp.
 * The build runs Vite's JS API into a temporary folder next to dist and then swaps it in, so a
 * server already serving dist, or a second build racing this one (two test runs in one tree), never
 * sees a half-written folder. Vite is imported only when a build is needed: serving needs no Vite.
 */
import { existsSync } from 'node:fs';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The web/ folder of this checkout. */
export const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));

/**
 * Written into dist after a successful build by the stamp plugin in web/vite.config.ts (so
 * `npm run build:web` leaves it too); its mtime is "when dist was built".
 */
export const BUILD_STAMP = '.reglab-build.json';

export interface BuildCheck {
  needed: boolean;
  /** Why, in words for the log: 'no build yet', 'web/src/x.tsx changed', 'up to date'. */
  reason: string;
}

/** Decides whether web/dist must be (re)built, from file mtimes alone. */
export async function checkWebBuild(webDir = WEB_DIR): Promise<BuildCheck> {
  const stampPath = join(webDir, 'dist', BUILD_STAMP);
  let builtAt: number;
  try {
    builtAt = (await stat(stampPath)).mtimeMs;
  } catch {
    return { needed: true, reason: 'no finished build in web/dist' };
  }
  for (const file of await webSources(webDir)) {
    const m = (await stat(file)).mtimeMs;
    if (m > builtAt) return { needed: true, reason: `${file.slice(webDir.length)} changed since the last build` };
  }
  return { needed: false, reason: 'web/dist is up to date' };
}

/** The files whose change makes dist stale. */
async function webSources(webDir: string): Promise<string[]> {
  const src = join(webDir, 'src');
  const files = existsSync(src)
    ? (await readdir(src, { recursive: true, withFileTypes: true })).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name))
    : [];
  for (const f of ['index.html', 'vite.config.ts']) if (existsSync(join(webDir, f))) files.push(join(webDir, f));
  return files;
}

let inFlight: Promise<BuildCheck> | undefined;

/**
 * Builds web/dist when checkWebBuild says so. Concurrent calls in one process share one build.
 * Resolves with what was decided; rejects with Vite's error if the build fails.
 */
export function buildWebIfNeeded(opts: { webDir?: string; log?: (line: string) => void; force?: boolean } = {}): Promise<BuildCheck> {
  inFlight ??= doBuild(opts).finally(() => {
    inFlight = undefined;
  });
  return inFlight;
}

async function doBuild({ webDir = WEB_DIR, log = () => {}, force = false }: { webDir?: string; log?: (line: string) => void; force?: boolean }): Promise<BuildCheck> {
  const check = force ? { needed: true, reason: 'forced' } : await checkWebBuild(webDir);
  if (!check.needed) return check;
  log(`building the dashboard (${check.reason})…`);
  const started = performance.now();
  const dist = join(webDir, 'dist');
  // '*.tmp-*' is git-ignored, so a build killed halfway leaves nothing git sees.
  const tmp = join(webDir, `dist.tmp-${process.pid}-${Date.now()}`);
  const { build } = await import('vite');
  try {
    await build({
      root: webDir,
      configFile: join(webDir, 'vite.config.ts'),
      // Loads the config through Vite's module runner: no temporary .mjs written beside it.
      configLoader: 'runner',
      logLevel: 'warn',
      build: { outDir: tmp, emptyOutDir: true },
    });
    // The config's build-stamp plugin wrote BUILD_STAMP into tmp; without it, the build is not trusted.
    if (!existsSync(join(tmp, BUILD_STAMP))) throw new Error(`vite build finished without writing ${BUILD_STAMP} (is the stamp plugin in web/vite.config.ts?)`);
    await swapIn(tmp, dist, webDir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  log(`dashboard built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return check;
}

/**
 * Replaces dist with the fresh build. Two renames, not atomic together, so a racing build in
 * another process may slip in between; then the other build (as fresh as ours) is kept.
 */
async function swapIn(tmp: string, dist: string, webDir: string): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const old = join(webDir, `dist.old.tmp-${process.pid}-${Date.now()}-${attempt}`);
    try {
      await rename(dist, old);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    try {
      await rename(tmp, dist);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    } finally {
      await rm(old, { recursive: true, force: true });
    }
  }
  await rm(tmp, { recursive: true, force: true });
}
