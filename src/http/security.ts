// The security headers of every response (@fastify/helmet, registered in ./app.ts), and the one
// per-request change to them: the portal page's form-action (./web.ts).
//
// The policy suits a JSON API and the pages NetFlow serves itself (web/dist), with everything from
// its own origin (no CDN): no inline script or style, no framing, no plugins; images also from
// data: (an operator's logo may be one). Not upgrade-insecure-requests: inside a hotspot the portal
// is often reached over plain HTTP. HSTS without includeSubDomains (it only takes effect where an
// operator serves NetFlow over HTTPS, and must not bind sibling hosts).

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
} as const;

export const SECURITY_HEADERS = {
  contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
  frameguard: { action: 'deny' as const },
  hsts: { maxAge: 180 * 86_400, includeSubDomains: false },
};

/**
 * The Content-Security-Policy header value, with more form targets when given: the portal page
 * may post to the hotspot's login form (its origin, checked by src/portal/hotspot-params.ts), and
 * nowhere else.
 */
export function contentSecurityPolicy(extraFormAction: readonly string[] = []): string {
  const directives: Record<string, readonly string[]> = {
    ...CSP_DIRECTIVES,
    formAction: [...CSP_DIRECTIVES.formAction, ...extraFormAction],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${values.join(' ')}`)
    .join(';');
}
