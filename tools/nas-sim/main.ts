// nas-sim: a MikroTik RouterOS hotspot simulator for trying NetFlow without a router.
//   node bin/run-ts.js tools/nas-sim/main.ts --secret S [options]   (see --help and README.md)
// Runs on the real clock and prints one line per event until Ctrl-C, then logs everyone out
// (Stop, Admin-Reboot) and, with --accounting-on-off, sends Accounting-Off.
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { CoaListener } from './coa-listener.js';
import { formatEvent } from './events.js';
import { Hotspot, type LoginRequest } from './hotspot.js';
import { HttpLogin, type HttpLoginBy } from './http-login.js';
import { RouterOsApiServer } from './routeros-api.js';

const USAGE = `nas-sim — a MikroTik RouterOS v7 hotspot towards a RADIUS server

  node bin/run-ts.js tools/nas-sim/main.ts --secret SECRET [options]

RADIUS
  --server IP            RADIUS server address (default 127.0.0.1); CoA is accepted only from it
  --secret SECRET        shared secret (required)
  --auth-port N          default 1812
  --acct-port N          default 1813
  --coa-port N           /radius incoming port (default 3799; RouterOS's own default is 1700)
  --bind ADDR            local source address (NetFlow matches routers by it; default 127.0.0.1)
  --nas-ip ADDR          NAS-IP-Address (default = --bind)
  --nas-id NAME          NAS-Identifier (/system identity, default MikroTik)
  --hotspot-name NAME    Called-Station-Id (default hotspot1)
  --interface NAME       NAS-Port-Id (default bridge-hotspot)
  --timeout MS           /radius timeout per try (default 1100)
  --tries N              sends of one packet (a login fails after them; accounting starts a new round)
  --interim received|S   radius-interim-update (default received = Acct-Interim-Interval)
  --accounting-on-off    Accounting-On at start, Accounting-Off at exit
  --no-message-authenticator   no Message-Authenticator in Access-Request, none required in replies

Guests
  --http-port N          hotspot login pages (default 8099; 0 = any free port)
  --http-host ADDR       default 127.0.0.1
  --login-by LIST        http-chap,http-pap,mac (default http-chap,http-pap)
  --login-code CODE      log one guest in at start with this code ...
  --mac MAC              ... from this MAC (default generated)
  --ip ADDR              ... with this IP (default from 10.5.50.2 up)
  --password P           password for --login-code / --guests (default: the code itself)
  --guests N             log N guests in at start: codes PREFIX1..PREFIXN
  --code-prefix PREFIX   default GUEST
  --login pap|chap|mac   how --login-code / --guests log in (default chap = http-chap)
  --up BPS --down BPS    traffic model, bytes per second per guest (default 2000 / 20000)
RouterOS API
  --api-port N           serve the RouterOS API here (8728 on a router; 0 = any free port; default off)
  --api-user NAME        API login (default netflow)
  --api-password P       API password (required with --api-port)
  --help
`;

function fail(message: string): never {
  process.stderr.write(`nas-sim: ${message}\n`);
  process.exit(2);
}

function int(value: string | undefined, name: string, fallback: number, min = 0, max = 65535): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string', default: '127.0.0.1' },
      secret: { type: 'string' },
      'auth-port': { type: 'string' },
      'acct-port': { type: 'string' },
      'coa-port': { type: 'string' },
      'http-port': { type: 'string' },
      'http-host': { type: 'string', default: '127.0.0.1' },
      bind: { type: 'string', default: '127.0.0.1' },
      'nas-ip': { type: 'string' },
      'nas-id': { type: 'string' },
      'hotspot-name': { type: 'string' },
      interface: { type: 'string' },
      timeout: { type: 'string' },
      tries: { type: 'string' },
      interim: { type: 'string', default: 'received' },
      'accounting-on-off': { type: 'boolean', default: false },
      'no-message-authenticator': { type: 'boolean', default: false },
      'login-by': { type: 'string', default: 'http-chap,http-pap' },
      'login-code': { type: 'string' },
      mac: { type: 'string' },
      ip: { type: 'string' },
      password: { type: 'string' },
      guests: { type: 'string' },
      'code-prefix': { type: 'string', default: 'GUEST' },
      login: { type: 'string', default: 'chap' },
      up: { type: 'string' },
      down: { type: 'string' },
      'api-port': { type: 'string' },
      'api-user': { type: 'string', default: 'netflow' },
      'api-password': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (!values.secret) fail('--secret is required (see --help)');
  // Replies are matched by their source address, as RouterOS does: a host name would never match.
  if (!isIP(values.server)) fail(`--server must be an IP address, got "${values.server}"`);
  const method = values.login;
  if (method !== 'pap' && method !== 'chap' && method !== 'mac') fail('--login must be pap, chap or mac');
  const loginBy = values['login-by']
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const m of loginBy) if (!['http-chap', 'http-pap', 'mac'].includes(m)) fail(`unknown --login-by method ${m}`);
  const interim = values.interim === 'received' ? 'received' : int(values.interim, 'interim', 0, 1, 86_400);

  const hotspot = await Hotspot.start({
    server: values.server,
    secret: values.secret,
    authPort: int(values['auth-port'], 'auth-port', 1812, 1),
    acctPort: int(values['acct-port'], 'acct-port', 1813, 1),
    bindAddress: values.bind,
    nasIp: values['nas-ip'],
    nasIdentifier: values['nas-id'],
    hotspotName: values['hotspot-name'],
    interfaceName: values.interface,
    timeoutMs: int(values.timeout, 'timeout', 1100, 10, 60_000),
    tries: int(values.tries, 'tries', 3, 1, 20),
    interimUpdate: interim,
    accountingOnOff: values['accounting-on-off'],
    messageAuthenticator: !values['no-message-authenticator'],
    defaultTraffic: {
      upBps: int(values.up, 'up', 2_000, 0, Number.MAX_SAFE_INTEGER),
      downBps: int(values.down, 'down', 20_000, 0, Number.MAX_SAFE_INTEGER),
    },
  });
  // Events from here on, one line each; the start-up line already happened, so replay it.
  for (const e of hotspot.events()) process.stdout.write(formatEvent(e) + '\n');
  hotspot.onEvent((e) => process.stdout.write(formatEvent(e) + '\n'));

  const coa = await CoaListener.start({
    target: hotspot,
    server: values.server,
    secret: values.secret,
    port: int(values['coa-port'], 'coa-port', 3799),
    bindAddress: values.bind,
    log: hotspot.log,
  });
  const web = await HttpLogin.start({
    hotspot,
    port: int(values['http-port'], 'http-port', 8099),
    host: values['http-host'],
    loginBy: loginBy as HttpLoginBy[],
  });
  let api: RouterOsApiServer | null = null;
  if (values['api-port'] !== undefined) {
    if (!values['api-password']) fail('--api-password is required with --api-port');
    api = await RouterOsApiServer.start({
      hotspot,
      user: values['api-user'],
      password: values['api-password'],
      port: int(values['api-port'], 'api-port', 8728),
      host: values.bind,
      radiusServer: values.server,
      coaPort: coa.port(),
    });
    process.stdout.write(`# nas-sim: RouterOS API on ${values.bind}:${api.port()} (user ${values['api-user']})\n`);
  }
  process.stdout.write(
    `# nas-sim: RADIUS ${values.server} auth/acct from ${values.bind}, CoA on ${values.bind}:${coa.port()}, login page http://${values['http-host']}:${web.port()}/login\n`,
  );

  const logins: LoginRequest[] = [];
  const guestRequest = (code: string, mac: string, ip?: string): LoginRequest => {
    const password = values.password ?? code;
    if (method === 'mac') return { method: 'mac', mac, ip };
    return { method, mac, ip, username: code, password };
  };
  if (values['login-code'] || (method === 'mac' && values.mac && !values.guests)) {
    logins.push(guestRequest(values['login-code'] ?? '', values.mac ?? guestMac(0), values.ip));
  }
  const guests = int(values.guests, 'guests', 0, 0, 100_000);
  for (let i = 1; i <= guests; i++) logins.push(guestRequest(`${values['code-prefix']}${i}`, guestMac(i)));
  // Logins one after another, as guests arrive; the hotspot itself is concurrent.
  for (const l of logins) await hotspot.login(l);

  let stopping = false;
  const shutdown = async () => {
    if (stopping) process.exit(1); // a second Ctrl-C: do not wait for the server
    stopping = true;
    process.stdout.write('# nas-sim: stopping (Ctrl-C again to quit at once)\n');
    await web.close();
    await api?.close();
    await coa.close();
    await hotspot.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
}

/** 02:4E:46:xx:xx:xx ("NF", locally administered) for generated guests. */
function guestMac(i: number): string {
  return ['02', '4E', '46', (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff]
    .map((v) => (typeof v === 'number' ? v.toString(16).padStart(2, '0') : v))
    .join(':')
    .toUpperCase();
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
