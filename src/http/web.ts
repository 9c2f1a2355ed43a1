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
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { hotspotLoginUrl } from '../portal/hotspot-params.js';
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
    // Only what the build wrote: no dotfiles, no directory listings.
    dotfiles: 'ignore',
    list: false,
    setHeaders(res, filePath) {
      const hashed = filePath.split(path.sep).includes('assets');
      res.setHeader('cache-control', hashed ? HASHED_ASSET_CACHE : 'no-cache');
    },
  });

  app.get('/portal/', async (req, reply) => {
    const linkLoginOnly = (req.query as Record<string, unknown>).linkLoginOnly;
    const login = typeof linkLoginOnly === 'string' ? hotspotLoginUrl(linkLoginOnly) : null;
    reply.header('content-security-policy', contentSecurityPolicy(login ? [login.origin] : []));
    return reply.sendFile('portal/index.html');
  });
};
