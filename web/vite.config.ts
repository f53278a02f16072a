// The dashboard build (`npm run build:web`, or `reglab serve --build-if-needed` through
// sim/server/web-build.ts). Vite 8 transforms TSX with Oxc; React 19 wants the automatic runtime.
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs, so the built page works under any path the server mounts it on.
  base: './',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // recharts + react make one ~600 kB chunk; fine for a local tool, so keep the log quiet.
    chunkSizeWarningLimit: 1500,
  },
});
