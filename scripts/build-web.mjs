// Builds the browser side (web/: the captive portal and the dashboard) with Vite into web/dist,
// which NetFlow serves at /portal/ and /dashboard/ (src/http/web.ts). Run by scripts/build.mjs
// (so `npm ci` and `npm run build` build it too) and by `npm run build:web`. ~1 s.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const configFile = path.join(root, 'web', 'vite.config.ts');

// The Dockerfile installs dependencies before copying the sources, then runs `npm run build`.
if (!existsSync(configFile)) {
  console.error('build: no web/ here yet; no pages to build');
} else {
  // Production builds of the dependencies (Lit's package exports choose its dev build, twice the
  // size and with console warnings, under the 'development' condition, which Vite picks unless
  // NODE_ENV is production; a rebuild started from the tests or a benchmark had it otherwise).
  process.env.NODE_ENV = 'production';
  const { build } = await import('vite');
  await build({ configFile, logLevel: 'warn' });
  precompress(path.join(root, 'web', 'dist'));
}

/**
 * Beside every page, script and style: a .gz and a .br, compressed once here at the highest levels
 * and sent by NetFlow as they are (@fastify/static preCompressed) to browsers that accept them, so
 * a guest on a slow link downloads the gzipped size and the server spends no CPU compressing.
 */
function precompress(dir) {
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile() || !/\.(js|css|html|svg|json)$/.test(e.name)) continue;
    const file = path.join(e.parentPath ?? e.path, e.name);
    const data = readFileSync(file);
    writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
    writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
  }
}
