// Compiles src/**/*.ts to JavaScript under dist/ (same layout, one file per module, source
// maps), so that `netflow` starts without compiling TypeScript at every run, then builds the
// pages (web/ → web/dist, scripts/build-web.mjs). Run by
// `npm ci`/`npm install` (postinstall, after the Prisma client is generated) and `npm run build`.
//
// esbuild only strips types (tsconfig has isolatedModules; `npm run typecheck` is the type
// check): the whole tree builds in well under a second, where tsc takes ~15 s here.
// dist/.built is written last; bin/netflow.js runs dist/ only when .built is newer than every
// file under src/ (see bin/freshness.js), otherwise it runs the TypeScript through tsx.
import { existsSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const started = new Date(); // edits made while building make the build stale, not fresh

// The Dockerfile installs dependencies before copying the sources (a cached layer), then runs
// `npm run build` itself.
if (!existsSync(path.join(src, 'cli', 'main.ts'))) {
  console.error('build: no src/ here yet; nothing to build');
  process.exit(0);
}

// The pages first: a stamp written last must stay the last thing a build does.
await import('./build-web.mjs');

const files = readdirSync(src, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => path.join(e.parentPath ?? e.path, e.name));
const entryPoints = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));

rmSync(dist, { recursive: true, force: true });
await build({
  entryPoints,
  outdir: dist,
  outbase: src,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});
// src/app/radius-worker.mjs (tsx for the RADIUS thread) is not copied: from dist/ the thread
// starts dist/app/radius-worker.js itself (src/app/radius-thread.ts).
const stamp = path.join(dist, '.built');
writeFileSync(stamp, `built from src/ at ${started.toISOString()}\n`);
utimesSync(stamp, started, started);
