// The RouterOS API (TCP 8728, API-SSL 8729) of the simulated router, speaking the real protocol so
// node-routeros runs against it unmodified: words prefixed with their length (1–5 bytes), a
// sentence ends with an empty word; `/login` with =name= =password= (RouterOS 6.43+); replies
// `!re` rows, `!done`, `!trap` (=message=) and `!fatal` (the connection then closes); `.tag` echoed
// on every reply of a command; `=.proplist=` and simple `?name=value` / `?name` / `?-name` queries.
// Menus: /system/resource, /system/identity, /ip/hotspot/active (print, remove: the session is
// really logged out, with its Accounting-Stop), /ip/hotspot, /ip/hotspot/profile, /radius,
// /radius/incoming. The configuration below starts as NetFlow's script leaves it; tests change it
// to make the router drift.
import net from 'node:net';
import tls from 'node:tls';
import { TERMINATE_CAUSE } from './authorization.js';
import type { Hotspot, SessionView } from './hotspot.js';

export type Row = Record<string, string>;

export interface RouterConfig {
  identity: string;
  version: string;
  radius: Row[];
  incoming: Row;
  hotspots: Row[];
  profiles: Row[];
}

export interface RouterOsApiOptions {
  hotspot: Hotspot;
  user: string;
  password: string;
  port?: number;
  host?: string;
  /** API-SSL: the server's certificate and key (PEM). */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** NetFlow's address as the /radius entry names it. */
  radiusServer?: string;
  coaPort?: number;
}

/** A hotspot login NetFlow never authorized (a local /ip/hotspot/user on the router). */
export interface LocalUser {
  user: string;
  mac: string;
  address: string;
}

export function defaultRouterConfig(identity: string, radiusServer: string, coaPort: number): RouterConfig {
  return {
    identity,
    version: '7.16.2 (stable)',
    radius: [
      {
        '.id': '*1',
        service: 'hotspot',
        address: radiusServer,
        'authentication-port': '1812',
        'accounting-port': '1813',
        timeout: '1s100ms',
        disabled: 'false',
        comment: 'NetFlow',
      },
    ],
    incoming: { accept: 'true', port: String(coaPort), vrf: 'main' },
    hotspots: [{ '.id': '*1', name: 'hotspot1', interface: 'bridge-hotspot', profile: 'hsprof1', disabled: 'false' }],
    profiles: [
      { '.id': '*0', name: 'default', 'use-radius': 'false', 'radius-accounting': 'true', 'login-by': 'cookie,http-chap', default: 'true' },
      {
        '.id': '*1',
        name: 'hsprof1',
        'use-radius': 'true',
        'radius-accounting': 'true',
        'radius-interim-update': 'received',
        'login-by': 'http-chap,http-pap,mac-cookie',
        default: 'false',
      },
    ],
  };
}

// ---- the wire format ---------------------------------------------------------------------------

export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x4000) return Buffer.from([(n >> 8) | 0x80, n & 0xff]);
  if (n < 0x200000) return Buffer.from([(n >> 16) | 0xc0, (n >> 8) & 0xff, n & 0xff]);
  if (n < 0x10000000) return Buffer.from([(n >>> 24) | 0xe0, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.from([0xf0, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

export function encodeSentence(words: string[]): Buffer {
  const parts: Buffer[] = [];
  for (const w of words) {
    const bytes = Buffer.from(w, 'utf8');
    parts.push(encodeLength(bytes.length), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** Reads whole sentences out of a byte stream (words may arrive split across packets). */
export class SentenceReader {
  private buffer: Buffer = Buffer.alloc(0);
  private words: string[] = [];

  /** Adds bytes; returns the sentences now complete. Throws on a reserved control byte (≥ 0xF8). */
  push(chunk: Buffer): string[][] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const sentences: string[][] = [];
    for (;;) {
      const header = decodeLength(this.buffer);
      if (!header) break;
      const [size, length] = header;
      if (this.buffer.length < size + length) break;
      const word = this.buffer.subarray(size, size + length).toString('utf8');
      this.buffer = this.buffer.subarray(size + length);
      if (length === 0) {
        if (this.words.length > 0) sentences.push(this.words);
        this.words = [];
      } else {
        this.words.push(word);
      }
    }
    return sentences;
  }
}

function decodeLength(b: Buffer): [number, number] | null {
  if (b.length === 0) return null;
  const c = b[0];
  const need = c < 0x80 ? 1 : c < 0xc0 ? 2 : c < 0xe0 ? 3 : c < 0xf0 ? 4 : c === 0xf0 ? 5 : -1;
  if (need === -1) throw new Error(`reserved control byte 0x${c.toString(16)}`);
  if (b.length < need) return null;
  if (need === 1) return [1, c];
  if (need === 2) return [2, ((c & 0x3f) << 8) | b[1]];
  if (need === 3) return [3, ((c & 0x1f) << 16) | (b[1] << 8) | b[2]];
  if (need === 4) return [4, ((c & 0x0f) * 0x1000000 + (b[1] << 16)) | (b[2] << 8) | b[3]];
  return [5, b.readUInt32BE(1)];
}

// ---- the server ---------------------------------------------------------------------------------

class Trap extends Error {}

/** RouterOS durations as the API prints them: 1w2d3h4m5s. */
export function routerDuration(totalSeconds: number): string {
  let s = Math.max(0, Math.floor(totalSeconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['w', 604_800],
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s}s`);
  return parts.join('');
}

export class RouterOsApiServer {
  readonly config: RouterConfig;
  /** Logins the router has that did not come through RADIUS. */
  readonly localUsers: LocalUser[] = [];
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly ids = new Map<string, string>();
  private nextId = 0x10;
  private readonly bootedAt = Date.now();
  /** Connections stop being answered (a router whose API hangs). */
  silent = false;
  readonly stats = { connections: 0, logins: 0, failedLogins: 0, commands: 0, removed: 0 };

  private constructor(private readonly options: RouterOsApiOptions) {
    const identity = options.hotspot.identity();
    this.config = defaultRouterConfig(identity.nasIdentifier, options.radiusServer ?? '127.0.0.1', options.coaPort ?? 3799);
    const onConnection = (socket: net.Socket) => this.serve(socket);
    this.server = options.tls
      ? tls.createServer({ cert: options.tls.cert, key: options.tls.key }, onConnection)
      : net.createServer(onConnection);
  }

  static async start(options: RouterOsApiOptions): Promise<RouterOsApiServer> {
    const s = new RouterOsApiServer(options);
    await new Promise<void>((resolve, reject) => {
      s.server.once('error', reject);
      s.server.listen(options.port ?? 8728, options.host ?? '127.0.0.1', () => resolve());
    });
    return s;
  }

  port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  addLocalUser(user: LocalUser): void {
    this.localUsers.push({ ...user, mac: user.mac.toUpperCase() });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private serve(socket: net.Socket): void {
    this.stats.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const reader = new SentenceReader();
    let user: string | null = null;
    socket.on('data', (chunk: Buffer) => {
      if (this.silent) return;
      let sentences: string[][];
      try {
        sentences = reader.push(chunk);
      } catch {
        socket.destroy();
        return;
      }
      for (const words of sentences) {
        const [command, ...rest] = words;
        const tag = rest.find((w) => w.startsWith('.tag='));
        const reply = (type: string, attrs: Row = {}) => {
          const out = [type, ...(tag ? [tag] : []), ...Object.entries(attrs).map(([k, v]) => `=${k}=${v}`)];
          return encodeSentence(out);
        };
        const attrs: Row = {};
        const queries: string[] = [];
        for (const w of rest) {
          if (w.startsWith('=')) {
            const eq = w.indexOf('=', 1);
            attrs[eq === -1 ? w.slice(1) : w.slice(1, eq)] = eq === -1 ? '' : w.slice(eq + 1);
          } else if (w.startsWith('?')) queries.push(w.slice(1));
        }
        if (command === '/quit') {
          socket.end(encodeSentence(['!fatal', 'session terminated on request']));
          return;
        }
        if (command === '/login') {
          if (attrs.name === this.options.user && attrs.password === this.options.password) {
            user = attrs.name;
            this.stats.logins++;
            socket.write(reply('!done'));
          } else {
            this.stats.failedLogins++;
            socket.write(Buffer.concat([reply('!trap', { message: 'invalid user name or password (6)' }), reply('!done')]));
          }
          continue;
        }
        if (user === null) {
          // RouterOS answers anything before a login with !fatal and closes the connection.
          socket.end(encodeSentence(['!fatal', 'not logged in']));
          return;
        }
        this.stats.commands++;
        void this.run(command, attrs, queries)
          .then((rows) => {
            const proplist = attrs['.proplist']?.split(',');
            const picked = proplist ? rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => proplist.includes(k)))) : rows;
            socket.write(Buffer.concat([...picked.map((r) => reply('!re', r)), reply('!done')]));
          })
          .catch((err: unknown) => {
            const message = err instanceof Trap ? err.message : `internal error: ${(err as Error).message}`;
            socket.write(Buffer.concat([reply('!trap', { message }), reply('!done')]));
          });
      }
    });
  }

  private activeRows(): Array<Row & { session?: SessionView }> {
    const hs = this.options.hotspot;
    const radiusRows = hs.sessions().map((s) => ({
      '.id': this.idFor(s.acctSessionId),
      server: hs.identity().hotspotName,
      user: s.userName,
      domain: '',
      address: s.ip,
      'mac-address': s.mac,
      'login-by': s.method === 'mac' ? 'mac' : s.method === 'pap' ? 'http-pap' : 'http-chap',
      uptime: routerDuration(s.uptimeSeconds),
      'idle-time': '0s',
      ...(s.sessionTimeLeft === null ? {} : { 'session-time-left': routerDuration(s.sessionTimeLeft) }),
      'bytes-in': String(s.counters.bytesIn),
      'bytes-out': String(s.counters.bytesOut),
      'packets-in': String(s.counters.packetsIn),
      'packets-out': String(s.counters.packetsOut),
      radius: 'true',
      blocked: 'false',
    }));
    const localRows = this.localUsers.map((u) => ({
      '.id': this.idFor(`local:${u.mac}`),
      server: hs.identity().hotspotName,
      user: u.user,
      domain: '',
      address: u.address,
      'mac-address': u.mac,
      'login-by': 'http-chap',
      uptime: '1m',
      'idle-time': '0s',
      'bytes-in': '0',
      'bytes-out': '0',
      radius: 'false',
      blocked: 'false',
    }));
    return [...radiusRows, ...localRows];
  }

  private idFor(key: string): string {
    let id = this.ids.get(key);
    if (!id) {
      id = `*${(this.nextId++).toString(16).toUpperCase()}`;
      this.ids.set(key, id);
    }
    return id;
  }

  private async run(command: string, attrs: Row, queries: string[]): Promise<Row[]> {
    const filter = (rows: Row[]) => rows.filter((r) => queries.every((q) => matches(r, q)));
    switch (command) {
      case '/system/identity/print':
        return [{ name: this.config.identity }];
      case '/system/resource/print': {
        const uptime = (Date.now() - this.bootedAt) / 1000;
        return [
          {
            uptime: routerDuration(uptime),
            version: this.config.version,
            'build-time': '2024-11-26 12:00:00',
            'free-memory': '201326592',
            'total-memory': '268435456',
            cpu: 'ARMv7',
            'cpu-count': '4',
            'cpu-frequency': '716',
            'cpu-load': String(3 + (this.stats.commands % 5)),
            'free-hdd-space': '4096000',
            'total-hdd-space': '16777216',
            'architecture-name': 'arm',
            'board-name': 'hAP ac^2',
            platform: 'MikroTik',
          },
        ];
      }
      case '/ip/hotspot/active/print':
        return filter(this.activeRows());
      case '/ip/hotspot/active/remove': {
        const ids = (attrs['.id'] ?? attrs.numbers ?? '').split(',').filter(Boolean);
        if (ids.length === 0) throw new Trap('no such item');
        for (const id of ids) await this.remove(id);
        return [];
      }
      case '/ip/hotspot/print':
        return filter(this.config.hotspots);
      case '/ip/hotspot/profile/print':
        return filter(this.config.profiles);
      case '/radius/print':
        return filter(this.config.radius);
      case '/radius/incoming/print':
        return [this.config.incoming];
      default:
        throw new Trap('no such command prefix');
    }
  }

  /** Removal logs the user out as RouterOS does: Accounting-Stop with Acct-Terminate-Cause Admin-Reset. */
  private async remove(id: string): Promise<void> {
    const key = [...this.ids].find(([, v]) => v === id)?.[0];
    if (key?.startsWith('local:')) {
      const i = this.localUsers.findIndex((u) => `local:${u.mac}` === key);
      if (i === -1) throw new Trap('no such item');
      this.localUsers.splice(i, 1);
    } else {
      if (!key || !this.options.hotspot.session(key)) throw new Trap('no such item');
      // The reply does not wait for the Stop's acknowledgement, as on RouterOS.
      void this.options.hotspot.logout(key, TERMINATE_CAUSE.adminReset);
    }
    this.stats.removed++;
  }
}

/** One query word: `name=value`, `name` (has it), `-name` (has it not). Other operators are not simulated. */
function matches(row: Row, query: string): boolean {
  if (query.startsWith('-')) return !(query.slice(1) in row);
  const eq = query.indexOf('=');
  if (eq === -1) return query in row;
  return row[query.slice(0, eq)] === query.slice(eq + 1);
}
