// Builds the browser side (web/: the captive portal and the dashboard) with Vite into web/dist,
// which NetFlow serves at /portal/ and /dashboard/ (src/http/web.ts). Run by scripts/build.mjs
// (so `npm ci` and `npm run build` build it too) and by `npm run build:web`. ~1 s.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const configFile = path.join(root, 'web', 'vite.config.ts');

// The Dockerfile installs dependencies before copying the sources, then runs `npm run build`.
if (!existsSync(configFile)) {
  console.error('build: no web/ here yet; no pages to build');
} else {
  // Vite picks packages' "development" builds (Lit's dev mode: warnings, bigger) unless NODE_ENV says
  // production, and test runners set NODE_ENV=test (the test setup rebuilds through this script).
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile, logLevel: 'warn' });
}
