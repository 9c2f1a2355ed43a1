// The router's hotspot web server, enough of it to drive a captive portal end to end:
//   GET  /login   login page with $(link-login-only), $(chap-id), $(chap-challenge) (+ MAC login)
//   POST /login   username, password (hex http-chap response, or plain for http-pap), dst, popup
//   GET  /status  the guest's session;  POST|GET /logout  ends it (Stop, User-Request)
//   GET  /md5.js  the hexMD5 the login page uses
//   GET  /sim/sessions, /sim/events, POST /sim/traffic   simulator-only, not RouterOS
// A real hotspot knows the guest by layer 2. This one cannot: the guest's MAC and IP come from
// the X-Client-MAC / X-Client-IP headers, or `mac` / `ip` in the query or form, and are carried
// in link-login-only so the page's own POST keeps them. Without any, the MAC is derived from the
// TCP peer address (02:00:a.b.c.d), so a plain browser on one machine is one stable "device".
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { normalizeMac } from '../../src/radius/values.js';
import { newChapChallenge, octalEscape, type ChapChallenge } from './chap.js';
import { formatEvent } from './events.js';
import type { Hotspot, LoginResult, SessionView } from './hotspot.js';
import { HtmlDirectory, type NetflowPageValues } from './html-template.js';
import { loginPage, logoutPage, MD5_JS, statusPage, type PageVars } from './login-pages.js';

/** `/ip hotspot profile login-by` methods this server honours. */
export type HttpLoginBy = 'http-chap' | 'http-pap' | 'mac';

export interface HttpLoginOptions {
  hotspot: Hotspot;
  port?: number;
  host?: string;
  /** Default: http-chap and http-pap (RouterOS's default is http-chap,cookie). */
  loginBy?: HttpLoginBy[];
  /**
   * Serve the pages of this hotspot html-directory (e.g. routeros-scripts/hotspot) filled in as
   * RouterOS fills them, instead of the built-in pages. login.html, flogin.html (after a failed
   * login; else login.html), alogin.html (after a login; else a redirect to dst), status.html,
   * fstatus.html, logout.html, flogout.html and rlogin.html (for /) are used when present.
   */
  htmlDir?: string;
  /** With htmlDir holding NetFlow's unrendered templates: the values `netflow router script` writes in. */
  netflowPages?: NetflowPageValues;
}

interface Client {
  mac: string;
  ip: string | null;
}

const MAX_BODY = 64 * 1024;

export class HttpLogin {
  private readonly server: http.Server;
  private readonly hotspot: Hotspot;
  private readonly loginBy: Set<HttpLoginBy>;
  private readonly html: HtmlDirectory | null;
  /** The challenge last shown to each client; one use (RouterOS makes a new one per page). */
  private readonly challenges = new Map<string, ChapChallenge>();
  /** MACs whose MAC login was rejected: not retried on every page view. */
  private readonly macRejected = new Set<string>();

  private constructor(options: HttpLoginOptions) {
    this.hotspot = options.hotspot;
    this.loginBy = new Set(options.loginBy ?? ['http-chap', 'http-pap']);
    this.html = options.htmlDir ? new HtmlDirectory(options.htmlDir, options.netflowPages) : null;
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err instanceof Error ? err.message : String(err));
      });
    });
  }

  static async start(options: HttpLoginOptions): Promise<HttpLogin> {
    const s = new HttpLogin(options);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        s.server.off('error', reject);
        resolve();
      });
    });
    return s;
  }

  port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://hotspot');
    const form = req.method === 'POST' ? await readForm(req) : new URLSearchParams();
    const wantsJson = (req.headers.accept ?? '').includes('application/json');
    const path = url.pathname;
    this.hotspot.log.record('http', { method: req.method ?? '', path });

    if (path === '/md5.js') return send(res, 200, 'application/javascript', MD5_JS);
    if (path.startsWith('/sim/')) return this.simApi(req, res, path, url, form);
    const client = clientOf(req, url, form);
    if (!client) return send(res, 400, 'text/plain', 'bad client MAC: pass X-Client-MAC, ?mac= or a form field mac\n');
    const base = `http://${req.headers.host ?? 'hotspot'}`;

    if (path === '/' && this.html && !wantsJson && !this.hotspot.session(client.mac)) {
      const login = `${base}/login${identityQuery(client)}`;
      const page = await this.html.render('rlogin.html', { 'link-redirect': login, 'link-login': login });
      if (page !== null) return send(res, 200, 'text/html; charset=utf-8', page);
    }
    if (path === '/' || path === '/login') {
      if (req.method === 'POST') return this.postLogin(res, client, form, base, wantsJson);
      return this.getLogin(res, client, url, base, wantsJson);
    }
    if (path === '/status') {
      const s = this.hotspot.session(client.mac);
      if (!s) return this.notLoggedIn(res, 'fstatus.html', client, base, wantsJson);
      const vars = statusVars(s, base, client);
      if (wantsJson) return sendJson(res, 200, { ok: true, vars, session: sessionJson(s) });
      return send(res, 200, 'text/html; charset=utf-8', (await this.html?.render('status.html', vars)) ?? statusPage(vars));
    }
    if (path === '/logout') {
      const s = this.hotspot.session(client.mac);
      if (!s) {
        if (wantsJson) return sendJson(res, 200, { ok: false, error: 'not logged in' });
        return this.notLoggedIn(res, 'flogout.html', client, base, wantsJson);
      }
      await this.hotspot.logout(s.acctSessionId);
      const vars: PageVars & { username: string; 'link-login': string } = {
        username: s.userName,
        ip: s.ip,
        mac: s.mac,
        uptime: formatUptime(this.hotspot.clock.now().getTime() - s.startedAt.getTime()),
        'link-login': `${base}/login${identityQuery(client)}`,
      };
      if (wantsJson) return sendJson(res, 200, { ok: true, vars });
      return send(res, 200, 'text/html; charset=utf-8', (await this.html?.render('logout.html', vars)) ?? logoutPage(vars));
    }
    return send(res, 404, 'text/plain', 'not found\n');
  }

  private async getLogin(res: http.ServerResponse, client: Client, url: URL, base: string, wantsJson: boolean): Promise<void> {
    const dst = url.searchParams.get('dst') ?? '';
    const s = this.hotspot.session(client.mac);
    if (s) return this.loggedIn(res, s.userName, dst || `${base}/status${identityQuery(client)}`, wantsJson);
    // login-by=mac: the router tries the MAC before showing the page.
    if (this.loginBy.has('mac') && !this.macRejected.has(client.mac)) {
      const result = await this.hotspot.login({ method: 'mac', mac: client.mac, ip: client.ip ?? undefined });
      if (result.ok) return this.loggedIn(res, result.session.userName, dst || `${base}/status${identityQuery(client)}`, wantsJson);
      if (result.reason === 'rejected') this.macRejected.add(client.mac);
    }
    return this.renderLogin(res, client, base, { dst, username: url.searchParams.get('username') ?? '', error: '' }, wantsJson, 200);
  }

  /** After a login (or at /login when already logged in): alogin.html if there is one, else a redirect. */
  private async loggedIn(res: http.ServerResponse, username: string, target: string, wantsJson: boolean): Promise<void> {
    if (this.html && !wantsJson) {
      const page = await this.html.render('alogin.html', { 'link-redirect': target, username, popup: 'false' });
      if (page !== null) return send(res, 200, 'text/html; charset=utf-8', page);
    }
    return redirect(res, target);
  }

  /** /status or /logout without a session: fstatus.html / flogout.html if there is one, else to the login page. */
  private async notLoggedIn(res: http.ServerResponse, file: string, client: Client, base: string, wantsJson: boolean): Promise<void> {
    const login = `${base}/login${identityQuery(client)}`;
    const page = this.html && !wantsJson ? await this.html.render(file, { 'link-redirect': login, 'link-login': login }) : null;
    return page === null ? redirect(res, login) : send(res, 200, 'text/html; charset=utf-8', page);
  }

  private async renderLogin(
    res: http.ServerResponse,
    client: Client,
    base: string,
    p: { dst: string; username: string; error: string },
    wantsJson: boolean,
    status: number,
  ): Promise<void> {
    const chap = this.loginBy.has('http-chap') ? newChapChallenge() : null;
    if (chap) this.challenges.set(client.mac, chap);
    const id = this.hotspot.identity();
    const vars: PageVars & { 'link-login-only': string; 'link-orig': string; error: string; username: string; 'server-name': string } = {
      'link-login-only': `${base}/login${identityQuery(client)}`,
      'link-login': `${base}/login${identityQuery(client)}`,
      'link-orig': p.dst,
      'link-status': `${base}/status${identityQuery(client)}`,
      'link-logout': `${base}/logout${identityQuery(client)}`,
      'chap-id': chap ? octalEscape(Buffer.from([chap.id])) : '',
      'chap-challenge': chap ? octalEscape(chap.challenge) : '',
      // Not RouterOS variables: the same values in hex, for programs.
      'chap-id-hex': chap ? Buffer.from([chap.id]).toString('hex') : '',
      'chap-challenge-hex': chap ? chap.challenge.toString('hex') : '',
      error: p.error,
      username: p.username,
      mac: client.mac,
      ip: client.ip ?? '',
      identity: id.nasIdentifier,
      'server-name': id.hotspotName,
      'login-by': [...this.loginBy].join(','),
      popup: 'true',
    };
    if (wantsJson) return sendJson(res, status, { ok: p.error === '', vars });
    if (this.html) {
      // RouterOS shows flogin.html after a failed login, login.html when there is none.
      const page = (p.error ? await this.html.render('flogin.html', vars) : null) ?? (await this.html.render('login.html', vars));
      if (page !== null) return send(res, status, 'text/html; charset=utf-8', page);
    }
    send(
      res,
      status,
      'text/html; charset=utf-8',
      loginPage({ vars, chap: chap ? { id: String(vars['chap-id']), challenge: String(vars['chap-challenge']) } : null }),
    );
  }

  private async postLogin(
    res: http.ServerResponse,
    client: Client,
    form: URLSearchParams,
    base: string,
    wantsJson: boolean,
  ): Promise<void> {
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    const dst = form.get('dst') ?? '';
    const chap = this.challenges.get(client.mac);
    this.challenges.delete(client.mac);
    const ip = client.ip ?? undefined;
    let result: LoginResult;
    if (this.hotspot.session(client.mac)) {
      result = await this.hotspot.login({ method: 'mac', mac: client.mac }); // answers with the active session
    } else if (!username) {
      return this.renderLogin(
        res,
        client,
        base,
        { dst, username, error: 'invalid username or password' },
        wantsJson,
        wantsJson ? 401 : 200,
      );
    } else if (chap && this.loginBy.has('http-chap') && /^[0-9a-fA-F]{32}$/.test(password)) {
      result = await this.hotspot.login({ method: 'http-chap', mac: client.mac, ip, username, chap, response: password });
    } else if (this.loginBy.has('http-pap')) {
      result = await this.hotspot.login({ method: 'pap', mac: client.mac, ip, username, password });
    } else {
      // http-chap only, and no (or a spent) challenge: RouterOS cannot form a CHAP-Password.
      return this.renderLogin(
        res,
        client,
        base,
        { dst, username, error: 'invalid username or password' },
        wantsJson,
        wantsJson ? 401 : 200,
      );
    }
    if (result.ok) {
      const target = /^https?:\/\//.test(dst) ? dst : `${base}/status${identityQuery(client)}`;
      if (wantsJson) return sendJson(res, 200, { ok: true, redirect: target, session: sessionJson(result.session) });
      return this.loggedIn(res, result.session.userName, target, false);
    }
    // RouterOS shows the RADIUS Reply-Message as $(error); these are its own texts otherwise.
    const error =
      result.reason === 'no-response' ? 'RADIUS server is not responding' : (result.replyMessage ?? 'invalid username or password');
    return this.renderLogin(
      res,
      client,
      base,
      { dst, username, error },
      wantsJson,
      wantsJson ? (result.reason === 'no-response' ? 504 : 401) : 200,
    );
  }

  private simApi(req: http.IncomingMessage, res: http.ServerResponse, path: string, url: URL, form: URLSearchParams): void {
    if (path === '/sim/sessions') return sendJson(res, 200, this.hotspot.sessions().map(sessionJson));
    if (path === '/sim/events') {
      const events = this.hotspot.events().slice(-Number(url.searchParams.get('last') ?? 200));
      return send(res, 200, 'text/plain; charset=utf-8', events.map(formatEvent).join('\n') + '\n');
    }
    if (path === '/sim/traffic' && req.method === 'POST') {
      const who = form.get('session') ?? form.get('mac') ?? url.searchParams.get('session') ?? url.searchParams.get('mac') ?? '';
      const up = Number(form.get('up') ?? url.searchParams.get('up'));
      const down = Number(form.get('down') ?? url.searchParams.get('down'));
      if (!Number.isSafeInteger(up) || !Number.isSafeInteger(down) || up < 0 || down < 0)
        return sendJson(res, 400, { ok: false, error: 'up and down: bytes per second' });
      return sendJson(res, 200, { ok: this.hotspot.setTraffic(who, { upBps: up, downBps: down }) });
    }
    return send(res, 404, 'text/plain', 'not found\n');
  }
}

function clientOf(req: http.IncomingMessage, url: URL, form: URLSearchParams): Client | null {
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const rawMac = header('x-client-mac') ?? url.searchParams.get('mac') ?? form.get('mac');
  const rawIp = header('x-client-ip') ?? url.searchParams.get('ip') ?? form.get('ip');
  const ip = rawIp && /^\d{1,3}(\.\d{1,3}){3}$/.test(rawIp) ? rawIp : null;
  if (rawMac) {
    const mac = normalizeMac(rawMac);
    return mac ? { mac, ip } : null;
  }
  const peer = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const octets = /^\d+\.\d+\.\d+\.\d+$/.test(peer) ? peer.split('.').map(Number) : [127, 0, 0, 1];
  return { mac: ['02', '00', ...octets.map((o) => o.toString(16).padStart(2, '0'))].join(':').toUpperCase(), ip };
}

/** Keeps the client identity in the links, since the page's POST cannot carry layer 2. */
function identityQuery(c: Client): string {
  const q = new URLSearchParams({ mac: c.mac });
  if (c.ip) q.set('ip', c.ip);
  return `?${q.toString()}`;
}

function statusVars(s: SessionView, base: string, client: Client): PageVars & { username: string; 'link-logout': string } {
  return {
    username: s.userName,
    ip: s.ip,
    mac: s.mac,
    uptime: formatUptime(s.uptimeSeconds * 1000),
    'session-time-left': s.sessionTimeLeft === null ? '' : formatUptime(s.sessionTimeLeft * 1000),
    'bytes-in': s.counters.bytesIn.toString(),
    'bytes-out': s.counters.bytesOut.toString(),
    'bytes-in-nice': niceBytes(s.counters.bytesIn),
    'bytes-out-nice': niceBytes(s.counters.bytesOut),
    'limit-bytes-total': s.limits.totalLimit === null ? '' : s.limits.totalLimit.toString(),
    'rate-limit': s.limits.rateLimit ?? '',
    'reply-message': s.replyMessage ?? '',
    'link-logout': `${base}/logout${identityQuery(client)}`,
    'link-status': `${base}/status${identityQuery(client)}`,
  };
}

/** A SessionView as JSON (bigint counters as decimal strings). */
export function sessionJson(s: SessionView): Record<string, unknown> {
  return JSON.parse(JSON.stringify(s, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as Record<string, unknown>;
}

/** Byte counts as the status page shows them: 1234 B, 12.1 KiB, 3.4 MiB. */
function niceBytes(n: bigint): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = Number(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** RouterOS-style uptime: 1h2m3s. */
function formatUptime(ms: number): string {
  let t = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(t / 86400);
  t -= d * 86400;
  const h = Math.floor(t / 3600);
  t -= h * 3600;
  const m = Math.floor(t / 60);
  const s = t - m * 60;
  return `${d ? `${d}d` : ''}${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!d && !h && !m) ? `${s}s` : ''}`;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(b);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    const parsed: unknown = body ? JSON.parse(body) : {};
    const params = new URLSearchParams();
    if (parsed && typeof parsed === 'object')
      for (const [k, v] of Object.entries(parsed)) if (v !== null && v !== undefined) params.set(k, String(v));
    return params;
  }
  return new URLSearchParams(body);
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  send(
    res,
    status,
    'application/json',
    JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  );
}

function redirect(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { location, 'cache-control': 'no-store' });
  res.end();
}
