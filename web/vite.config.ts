// The dashboard build (`npm run build:web`, or `reglab serve --build-if-needed` through
// sim/server/web-build.ts). Vite 8 transforms TSX with Oxc; React 19 wants the automatic runtime.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes dist/.reglab-build.json after a successful build, whichever way it was started: its mtime
 * is what sim/server/web-build.ts compares with the sources to decide whether to rebuild.
 */
function buildStamp(): Plugin {
  let outDir = 'dist';
  return {
    name: 'reglab-build-stamp',
    apply: 'build',
    configResolved(cfg) {
      outDir = resolve(cfg.root, cfg.build.outDir);
    },
    writeBundle() {
      writeFileSync(join(outDir, '.reglab-build.json'), JSON.stringify({ builtAt: new Date().toISOString() }) + '\n');
    },
  };
}

export default defineConfig({
  // Relative asset URLs, so the built page works under any path the server mounts it on.
  base: './',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [buildStamp()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // recharts + react make one ~600 kB chunk; fine for a local tool, so keep the log quiet.
    chunkSizeWarningLimit: 1500,
  },
  // `npx vite web` for working on the page with hot reload: the API comes from `npm start`.
  server: {
    host: '127.0.0.1',
    proxy: { '/api': { target: 'http://127.0.0.1:8080', ws: true } },
  },
});
