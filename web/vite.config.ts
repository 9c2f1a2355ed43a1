// The browser side, one Vite build for both faces: web/portal (the guest captive portal) and
// web/dashboard (the operator dashboard), sharing web/shared. Output in web/dist (gitignored),
// served by NetFlow itself (src/http/web.ts): /portal/, /dashboard/, hashed files under /assets/.
// `npm run build:web` builds; `npm run dev:web` serves the sources with live reload, proxying the
// API to a running NetFlow (NETFLOW_URL, default http://127.0.0.1:3000).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const netflow = process.env.NETFLOW_URL || 'http://127.0.0.1:3000';

export default defineConfig({
  root: here('.'),
  base: '/',
  // No public/ folder: everything the pages load is imported, so it is hashed and long-cached.
  publicDir: false,
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    // Phones on hotspots: modern evergreen browsers, but not only the newest.
    target: 'es2020',
    // Small pages: no source maps shipped to guests (the sources are in the repository).
    sourcemap: false,
    // Never inline assets as data: URLs into scripts; the CSP allows data: for images only.
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        portal: here('portal/index.html'),
        dashboard: here('dashboard/index.html'),
      },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: netflow, changeOrigin: false },
      '/sandbox': { target: netflow, changeOrigin: false },
    },
  },
});
