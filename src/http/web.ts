// Serving the built web/ client (web/dist, scripts/build-web.mjs): the captive portal at /portal/,
// the operator dashboard at /dashboard/, their hashed scripts and styles under /assets/. Registered
// by src/http/app.ts last, so every API route wins over a static path. Everything comes from
// NetFlow's own origin (the CSP in app.ts allows only 'self').
//
// Caching: a file under /assets/ has its content hash in its name, so it is cached for a year and
// never revalidated (a phone on a slow hotspot link fetches it once); the pages themselves
// (index.html) are `no-cache`: always revalidated (a 304 when unchanged), so a new build is seen
// at once. `/` sends guests and operators who type the bare address to the portal.
//
// The portal page is the one page whose policy differs: it logs the guest in by posting the
// hotspot's form to the router ($(link-login-only), another origin), so its form-action allows
// that one origin, taken from the page's own query and accepted only in the shape RouterOS gives it
// (http(s)://<hotspot>/login, no user:password@; src/portal/hotspot-params.ts). Nothing else is
// relaxed: scripts, styles, connections and frames stay same-origin only.
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { hotspotLoginUrl, readHotspotParams } from '../portal/hotspot-params.js';
import { contentSecurityPolicy } from './security.js';

/** web/dist beside src/ (or dist/, whichever runs): both are two levels below the repository root. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export interface WebDeps {
  /** Where the built client is; default web/dist. null: no pages are served. */
  root?: string | null;
}

const HASHED_ASSET_CACHE = 'public, max-age=31536000, immutable';
const FACES = ['portal', 'dashboard'] as const;

export const webPlugin: FastifyPluginAsyncTypebox<WebDeps> = async (app, deps) => {
  const root = deps.root === undefined ? DEFAULT_WEB_ROOT : deps.root;
  if (root === null) return;

  app.get('/', async (req, reply) => {
    const query = req.url.indexOf('?');
    return reply.redirect(`/portal/${query >= 0 ? req.url.slice(query) : ''}`, 302);
  });

  if (!existsSync(path.join(root, 'portal', 'index.html'))) {
    // A checkout whose pages were never built: say how to build them rather than a bare 404.
    for (const face of FACES) {
      app.get(`/${face}/`, async (_req, reply) =>
        reply
          .code(503)
          .header('cache-control', 'no-store')
          .send({ error: `The ${face} pages are not built. Run "npm run build:web" (npm ci does it), then reload.` }),
      );
    }
    return;
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    // /portal → /portal/ (keeping the query string the hotspot sent).
    redirect: true,
    index: ['index.html'],
    // Our own Cache-Control (below) instead of the plugin's max-age=0.
    cacheControl: false,
    // The build's .br / .gz beside each file (scripts/build-web.mjs), for browsers that accept them.
    preCompressed: true,
    // Only what the build wrote: no dotfiles, no directory listings.
    dotfiles: 'ignore',
    list: false,
    setHeaders(res, filePath) {
      const hashed = filePath.split(path.sep).includes('assets');
      res.setHeader('cache-control', hashed ? HASHED_ASSET_CACHE : 'no-cache');
    },
  });

  // The portal page, per request: its CSP (above) and, inlined as a JSON data block, the answers
  // the page would otherwise ask for first (this router's packages and the operator's branding,
  // exactly as the API gives them: fetched through it in-process). On a hotspot link every round
  // trip costs 150–400 ms; this saves one before the guest sees the package list. A data block
  // is not script (the CSP's script-src does not apply to it, and it is never executed); `<` is
  // escaped so nothing in it can close the element. When the API is slow or says no, the page
  // goes without and asks itself, with its own retry and error screens.
  const template = new PageTemplate(path.join(root, 'portal', 'index.html'));
  app.get('/portal/', async (req, reply) => {
    const query = req.query as Record<string, unknown>;
    const { params } = readHotspotParams((name) => (typeof query[name] === 'string' ? (query[name] as string) : null));
    const login = params.linkLoginOnly ? hotspotLoginUrl(params.linkLoginOnly) : null;
    const boot = params.router && params.view !== 'connected' ? await bootData(app, params.router) : null;
    let html = await template.read();
    if (boot) html = html.replace('</head>', `<script type="application/json" id="netflow-boot">${jsonForHtml(boot)}</script></head>`);
    reply
      .header('content-security-policy', contentSecurityPolicy(login ? [login.origin] : []))
      .header('cache-control', 'no-cache')
      .header('vary', 'accept-encoding')
      .type('text/html; charset=utf-8');
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(gzipSync(html));
    return reply.send(html);
  });
};

const BOOT_TIMEOUT_MS = 1500;

async function bootData(app: FastifyInstance, router: string): Promise<Record<string, unknown> | null> {
  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    return res.statusCode === 200 ? (res.json() as unknown) : null;
  };
  const work = Promise.all([get(`/api/v1/portal/packages?router=${encodeURIComponent(router)}`), get('/api/v1/portal/branding')]).then(
    ([packages, branding]) => (packages ? { router, packages, branding } : null),
    () => null,
  );
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), BOOT_TIMEOUT_MS)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** JSON that cannot end the <script> element it sits in, nor start a comment in it. */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The built page, read again only when the build changed it. */
class PageTemplate {
  private cached: { mtimeMs: number; text: string } | null = null;
  constructor(private readonly file: string) {}
  async read(): Promise<string> {
    const { mtimeMs } = await stat(this.file);
    if (this.cached?.mtimeMs !== mtimeMs) this.cached = { mtimeMs, text: await readFile(this.file, 'utf8') };
    return this.cached.text;
  }
}
