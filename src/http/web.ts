// Serving the built web/ client (captive portal pages and dashboard): registered by src/http/app.ts
// last, so that every API route wins over a static path. Serves nothing yet. What will land here:
// the files of web/dist from NetFlow's own origin (the CSP in app.ts allows only 'self'), with
// long-cache headers for hashed assets and index.html as the fallback for client-side routes
// outside /api and /sandbox (probably @fastify/static, added with web/ itself).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

export interface WebDeps {
  /** Where the built client is (web/dist); unset: nothing is served. */
  root?: string;
}

export const webPlugin: FastifyPluginAsyncTypebox<WebDeps> = async () => {
  // Intentionally empty (see above).
};
