// The parameters the router's hotspot pages hand the captive portal (routeros-scripts/hotspot/
// login.html forwards `/portal/?router=…&mac=…&ip=…&linkLoginOnly=…&linkOrig=…&chapId=…&
// chapChallenge=…&identity=…&error=…`), and the one set of rules for them. Plain TypeScript with no
// Node imports: the server (src/http/web.ts, the portal API) and the page (web/portal) both read
// them with this module, so a value the page accepts is one the server accepts.

export interface HotspotParams {
  /** NetFlow's name of the router (required). */
  router: string;
  /** The guest's MAC, upper case with colons; '' when the hotspot gave none. */
  mac: string;
  /** The guest's address on the hotspot network; ''. */
  ip: string;
  /** Where the hotspot's login form posts: http(s)://<hotspot address>/login; ''. */
  linkLoginOnly: string;
  /** Where the guest was going before the hotspot stopped them: http(s) only; ''. */
  linkOrig: string;
  /** http-chap: the chap-id byte and the 16 challenge bytes, lowercase hex; both '' for PAP. */
  chapId: string;
  chapChallenge: string;
  /** The router's system identity (shown, never trusted). */
  identity: string;
  /** The hotspot's $(error): why its last login failed (RADIUS Reply-Message or its own text). */
  error: string;
  /** 'connected' when the hotspot sent the guest back after a successful login (the dst we gave). */
  view: '' | 'connected';
}

export type HotspotParam = keyof HotspotParams;

/** Control characters are refused everywhere: they are never in what RouterOS sends. */
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;
const MAC = /^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX = /^[0-9a-f]*$/;

export function isMac(s: string): boolean {
  return MAC.test(s);
}

export function isIpAddress(s: string): boolean {
  if (IPV4.test(s)) return true;
  // IPv6: let the URL parser decide (present in browsers and Node alike).
  if (!/^[0-9A-Fa-f:.]{2,45}$/.test(s) || !s.includes(':')) return false;
  try {
    return new URL(`http://[${s}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

/** An absolute http(s) URL without user:password@ (which would hide the real host from the guest). */
export function httpUrl(s: string, maxLength: number): URL | null {
  if (s.length === 0 || s.length > maxLength || !PRINTABLE.test(s)) return null;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (u.username !== '' || u.password !== '') return null;
  return u;
}

/**
 * The hotspot's login URL: RouterOS's $(link-login-only) is always http(s)://<its address or
 * dns-name>/login, sometimes with a query. Anything else is not a hotspot login form, and the page
 * will not post a code there.
 */
export function hotspotLoginUrl(s: string): URL | null {
  const u = httpUrl(s, 512);
  return u && /\/login$/.test(u.pathname) && u.hash === '' ? u : null;
}

function text(s: string, max: number): boolean {
  return s.length <= max && PRINTABLE.test(s);
}

/**
 * Reads and checks the parameters. A bad value is left out (as '') and named in `problems`, so the
 * page can still do what the good ones allow and say what is wrong with the rest.
 */
export function readHotspotParams(get: (name: string) => string | null | undefined): { params: HotspotParams; problems: HotspotParam[] } {
  const problems: HotspotParam[] = [];
  const raw = (name: HotspotParam) => (get(name) ?? '').trim();
  const take = (name: HotspotParam, ok: (v: string) => boolean): string => {
    const v = raw(name);
    if (v === '' || ok(v)) return v;
    problems.push(name);
    return '';
  };

  const router = take('router', (v) => v.length <= 64 && PRINTABLE.test(v));
  if (router === '' && !problems.includes('router')) problems.push('router');
  const mac = take('mac', isMac).toUpperCase().replace(/-/g, ':');
  const ip = take('ip', isIpAddress);
  const linkLoginOnly = take('linkLoginOnly', (v) => hotspotLoginUrl(v) !== null);
  const linkOrig = take('linkOrig', (v) => httpUrl(v, 2048) !== null);
  let chapId = take('chapId', (v) => v.length === 2 && HEX.test(v.toLowerCase())).toLowerCase();
  let chapChallenge = take('chapChallenge', (v) => v.length === 32 && HEX.test(v.toLowerCase())).toLowerCase();
  if ((chapId === '') !== (chapChallenge === '')) {
    // Half a CHAP pair is no pair: fall back to PAP rather than post a hash the router cannot check.
    problems.push(chapId === '' ? 'chapId' : 'chapChallenge');
    chapId = chapChallenge = '';
  }
  const identity = take('identity', (v) => text(v, 64));
  const error = take('error', (v) => text(v, 300));
  const view = take('view', (v) => v === 'connected') as HotspotParams['view'];
  return { params: { router, mac, ip, linkLoginOnly, linkOrig, chapId, chapChallenge, identity, error, view }, problems };
}
