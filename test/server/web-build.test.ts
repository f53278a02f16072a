import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_STAMP, buildWebIfNeeded, checkWebBuild } from '../../sim/server/web-build.ts';

/** A fake web/ folder; mtimes are set explicitly, so the test does not depend on clock resolution. */
function fakeWeb(): { dir: string; at(path: string, secondsAgo: number): void } {
  const dir = mkdtempSync(join(tmpdir(), 'reglab-web-'));
  mkdirSync(join(dir, 'src/views'), { recursive: true });
  const now = Date.now() / 1000;
  const at = (path: string, secondsAgo: number) => {
    const full = join(dir, path);
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, path);
    utimesSync(full, now - secondsAgo, now - secondsAgo);
  };
  at('index.html', 100);
  at('vite.config.ts', 100);
  at('src/main.tsx', 100);
  at('src/views/deep.tsx', 100);
  return { dir, at };
}

test('the web build is needed when dist has no finished build (no stamp)', async () => {
  const w = fakeWeb();
  try {
    assert.deepEqual(await checkWebBuild(w.dir), { needed: true, reason: 'no finished build in web/dist' });
    // A dist without the stamp is a build that did not finish.
    w.at('dist/index.html', 10);
    assert.equal((await checkWebBuild(w.dir)).needed, true);
  } finally {
    rmSync(w.dir, { recursive: true, force: true });
  }
});

test('the web build is skipped when the stamp is newer than every source, needed when one is newer', async () => {
  const w = fakeWeb();
  try {
    w.at(`dist/${BUILD_STAMP}`, 50);
    assert.deepEqual(await checkWebBuild(w.dir), { needed: false, reason: 'web/dist is up to date' });
    // buildWebIfNeeded then does nothing (and never loads Vite).
    assert.equal((await buildWebIfNeeded({ webDir: w.dir })).needed, false);
    for (const src of ['src/views/deep.tsx', 'index.html', 'vite.config.ts', 'src/new-file.ts']) {
      w.at(src, 10);
      const check = await checkWebBuild(w.dir);
      assert.equal(check.needed, true, src);
      assert.match(check.reason, new RegExp(`${src.replace('.', '\\.')} changed since the last build`));
      w.at(src, 100);
    }
    // Files outside the sources (dist itself, a README) do not count.
    w.at('README.md', 1);
    w.at('dist/assets/x.js', 1);
    assert.equal((await checkWebBuild(w.dir)).needed, false);
  } finally {
    rmSync(w.dir, { recursive: true, force: true });
  }
});
