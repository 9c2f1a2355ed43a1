// The RouterOS script that points one MikroTik hotspot at NetFlow, generated per router with its
// values written in (no :local variables: pasted into a terminal, each line runs on its own and a
// variable set on one line is gone on the next). Every add is preceded by a removal of the same
// comment, so running the script twice leaves one of everything. A pure function of its input, so
// the CLI and (later) the dashboard produce the same text. Needs RouterOS 7.9+ (`/file add`).
import { isIP } from 'node:net';
import { invalid } from '../core/errors.js';

/** The comments the script's entries carry (the hand-off contract with the portal and the docs). */
export const RADIUS_COMMENT = 'NetFlow';
export const COA_FIREWALL_COMMENT = 'NetFlow CoA';
export const WALLED_GARDEN_COMMENT = 'NetFlow';

/** The hotspot pages NetFlow writes into each hotspot profile's html-directory. */
export const HOTSPOT_PAGES = ['login.html', 'flogin.html', 'rlogin.html', 'alogin.html', 'status.html', 'logout.html'] as const;
export type HotspotPage = (typeof HOTSPOT_PAGES)[number];

/** A payment provider whose pages the guest's own browser must open before being online. */
export interface GuestPaymentHosts {
  provider: string;
  hosts: readonly string[];
}

export interface HotspotScriptInput {
  router: { name: string; secret: string; coaPort: number };
  /** The IP address the router sends RADIUS to and receives Disconnect/CoA from. */
  netflowAddress: string;
  /** Where guests' phones open the portal, e.g. https://wifi.example.com/portal/ (checked by checkPortalUrl). */
  portalUrl: string;
  radiusAuthPort: number;
  radiusAcctPort: number;
  /** The page templates of routeros-scripts/hotspot/, by file name. */
  pages: Readonly<Record<HotspotPage, string>>;
  /**
   * Hosts of configured providers that guests' browsers visit to pay. Mobile-money pushes (STK,
   * USSD) are approved on the phone's SIM menu, not in the browser, so today's providers list none.
   */
  paymentHosts?: readonly GuestPaymentHosts[];
  /** Named in the header, to tell generated scripts apart. */
  generatedAt?: Date;
}

/**
 * The portal URL as the pages and the walled garden need it: http(s), no credentials, query or
 * fragment, and none of the characters that would need escaping inside an HTML attribute.
 */
export function checkPortalUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalid('portalUrl', 'must be an http(s) URL such as https://wifi.example.com/portal/');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('portalUrl', 'must start with http:// or https://');
  if (url.username || url.password || url.search || url.hash || /["'<>\\\s`]/.test(url.href)) {
    throw invalid('portalUrl', 'must be a plain http(s) URL without user, ?query or #fragment');
  }
  return url;
}

/** One page template with the portal address and the router's name (URL-encoded) written in. */
export function fillHotspotPage(template: string, portalUrl: string, routerName: string): string {
  const portal = checkPortalUrl(portalUrl).href;
  return template.replaceAll('{{NETFLOW_PORTAL_URL}}', portal).replaceAll('{{NETFLOW_ROUTER}}', encodeURIComponent(routerName));
}

/** The hotspot pages with the portal address and the router's name written in. */
export function renderHotspotPages(pages: Readonly<Record<HotspotPage, string>>, portalUrl: string, routerName: string) {
  const out = {} as Record<HotspotPage, string>;
  for (const name of HOTSPOT_PAGES) out[name] = fillHotspotPage(pages[name], portalUrl, routerName);
  return out;
}

/**
 * A RouterOS string literal. `$` and `?` are escaped too: unescaped, `$` reads a variable and `?`
 * opens the terminal's help. Bytes outside printable ASCII become \XX (upper-case hex, as the
 * scripting manual asks).
 */
export function rosString(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (c === '"' || c === '\\' || c === '$' || c === '?') out += '\\' + c;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (byte < 0x20 || byte > 0x7e) out += '\\' + byte.toString(16).toUpperCase().padStart(2, '0');
    else out += c;
  }
  return `"${out}"`;
}

/**
 * A long string literal over several physical lines: each ends in a backslash, which continues a
 * string literal (scripting manual, "Line joining"). Continuation lines start at column 0 and never
 * with a bare space, so no whitespace handling can change the string. Escape sequences are never split.
 */
export function wrapRosString(literal: string, width = 110): string {
  const lines: string[] = [];
  let line = '';
  for (let i = 0; i < literal.length; i++) {
    let token = literal[i];
    if (token === '\\') token = /^\\[0-9A-F]{2}/.test(literal.slice(i, i + 3)) ? literal.slice(i, i + 3) : literal.slice(i, i + 2);
    i += token.length - 1;
    if (line.length + token.length > width) {
      lines.push(line + '\\');
      line = '';
      // A continuation line that began with a space might lose it: \_ is RouterOS's escaped space.
      if (token === ' ') token = '\\_';
    }
    line += token;
  }
  lines.push(line);
  return lines.join('\n');
}

/** What each page is for, said in the script above the line that writes it. */
const PAGE_PURPOSE: Readonly<Record<HotspotPage, string>> = {
  'login.html': "forwards a guest who is not logged in to the portal, with the hotspot's variables.",
  'flogin.html': 'the same after a failed login, carrying the error to the portal.',
  'rlogin.html': 'sends a guest who opened another site to the login page (a fresh CHAP challenge).',
  'alogin.html': 'after a login, sends the guest on (to the portal\'s "connected" view).',
  'status.html': "the router's status page for a logged-in guest, linking to the portal.",
  'logout.html': 'shown after logging out; the code keeps its remaining time.',
};

/** A name RouterOS takes unquoted would do too, but quoting every value is simpler to check. */
const q = rosString;

/** The script, one documented step after another. */
export function hotspotScript(input: HotspotScriptInput): string {
  const { router, radiusAuthPort, radiusAcctPort } = input;
  if (isIP(input.netflowAddress) !== 4) throw invalid('netflowAddress', 'must be the IPv4 address the router reaches NetFlow at');
  for (const [field, port] of [
    ['radiusAuthPort', radiusAuthPort],
    ['radiusAcctPort', radiusAcctPort],
    ['coaPort', router.coaPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid(field, 'must be a fixed port from 1 to 65535');
  }
  const portal = checkPortalUrl(input.portalUrl);
  const pages = renderHotspotPages(input.pages, portal.href, router.name);
  const address = input.netflowAddress;
  const portalPort = Number(portal.port || (portal.protocol === 'https:' ? 443 : 80));
  const portalHost = portal.hostname.replace(/^\[|\]$/g, '');
  const providers = input.paymentHosts ?? [];
  const providerHosts = [...new Set(providers.flatMap((p) => p.hosts.map((h) => h.toLowerCase())))].filter((h) => h !== portalHost);

  const out: string[] = [];
  /** Every command comes with a line saying what it does. */
  const cmd = (doc: string, command: string) => out.push(`# - ${doc}`, command);
  const comment = (text: string) => {
    for (const l of text.split('\n')) out.push(`# ${l}`.trimEnd());
  };

  comment(`NetFlow hotspot setup for router "${router.name}"${input.generatedAt ? `, generated ${input.generatedAt.toISOString()}` : ''}.
Generated by: netflow router script ${/^[\w.-]+$/.test(router.name) ? router.name : JSON.stringify(router.name)}
RouterOS 7.9 or later. Paste it into the router's terminal, or upload it and run
  /import file-name=netflow-${router.name.replace(/[^\w.-]/g, '_')}.rsc
It is safe to run again (after a NetFlow or portal address change, say): every entry it adds
is first removed by its comment, so nothing is doubled. It holds this router's RADIUS secret:
keep it private.
NetFlow ${address}, RADIUS ports ${radiusAuthPort}/${radiusAcctPort}, Disconnect/CoA port ${router.coaPort},
portal ${portal.href}`);
  out.push('');

  comment(`1. RADIUS client. The old NetFlow entry, if any, goes first (found by its comment).
No src-address: the router sends from the address of its route to NetFlow, which behind NAT
is translated to the public address NetFlow knows this router by (netflow router add --ip).
require-message-auth is left at its RouterOS 7.15+ default (yes-for-request-resp): NetFlow
signs every reply with Message-Authenticator (BlastRADIUS, CVE-2024-3596).`);
  cmd('Remove the RADIUS entry an earlier run added (nothing the first time).', `/radius remove [find comment=${q(RADIUS_COMMENT)}]`);
  cmd(
    "Add NetFlow as the RADIUS server of the hotspot, with its address, this router's secret and its ports.",
    `/radius add service=hotspot address=${address} secret=${q(router.secret)} authentication-port=${radiusAuthPort} accounting-port=${radiusAcctPort} timeout=1100ms comment=${q(RADIUS_COMMENT)}`,
  );
  out.push('');

  comment(`2. Accept Disconnect and CoA from NetFlow, so sessions that run out or are ended by an operator
are cut at once. RouterOS's default is accept=no on port 1700; NetFlow sends to this router's
CoA port. Behind NAT, forward UDP ${router.coaPort} from the public address to this router.`);
  cmd('Listen for Disconnect/CoA on the port NetFlow sends them to.', `/radius incoming set accept=yes port=${router.coaPort}`);
  out.push('');

  comment(`3. Firewall: let Disconnect/CoA (UDP ${router.coaPort}) in from NetFlow's address only. The old rule goes
first; the new one is placed before the first static filter rule, so it comes before any drop
rule, or simply added when the filter has no static rules yet.`);
  cmd('Remove the rule an earlier run added.', `/ip firewall filter remove [find comment=${q(COA_FIREWALL_COMMENT)}]`);
  const rule = `chain=input action=accept protocol=udp src-address=${address} dst-port=${router.coaPort} comment=${q(COA_FIREWALL_COMMENT)}`;
  cmd(
    'Accept UDP to the CoA port from NetFlow: before the first static rule, or alone in an empty filter.',
    `:if ([:len [/ip firewall filter find dynamic=no]] = 0) do={/ip firewall filter add ${rule}} else={/ip firewall filter add ${rule} place-before=[:pick [/ip firewall filter find dynamic=no] 0]}`,
  );
  out.push('');

  comment(`4. Walled garden: what a guest may open before logging in. Only NetFlow's portal and its API (one
host and port)${providerHosts.length ? ' and the pages of the payment providers configured in NetFlow' : ''}; nothing else.
The HTTP entry lets the hotspot's web proxy pass plain-HTTP requests by host name; the IP entry
lets TCP through to the host's addresses (RouterOS resolves a dst-host name), which HTTPS needs.`);
  if (providers.length === 0) comment('No payment provider is configured in NetFlow (the sandbox, if on, is NetFlow itself).');
  for (const p of providers) {
    comment(
      p.hosts.length === 0
        ? `${p.provider}: approved on the guest's phone (a push to the SIM), no page to allow.`
        : `${p.provider}: ${p.hosts.join(', ')}`,
    );
  }
  cmd(
    'Remove the HTTP entries an earlier run added.',
    `/ip hotspot walled-garden remove [find comment=${q(WALLED_GARDEN_COMMENT)} dynamic=no]`,
  );
  cmd('Remove the IP entries an earlier run added.', `/ip hotspot walled-garden ip remove [find comment=${q(WALLED_GARDEN_COMMENT)}]`);
  const ipTarget = (host: string) => (isIP(host) ? `dst-address=${host}` : `dst-host=${q(host)}`);
  if (portal.protocol === 'http:') {
    cmd(
      "The portal over plain HTTP, by host name, for the hotspot's web proxy.",
      `/ip hotspot walled-garden add dst-host=${q(portalHost)} dst-port=${portalPort} comment=${q(WALLED_GARDEN_COMMENT)}`,
    );
  }
  cmd(
    `The portal and its API: TCP to ${portalHost} port ${portalPort}.`,
    `/ip hotspot walled-garden ip add ${ipTarget(portalHost)} protocol=tcp dst-port=${portalPort} comment=${q(WALLED_GARDEN_COMMENT)}`,
  );
  for (const host of providerHosts) {
    cmd(
      `Payment pages at ${host} over plain HTTP (a redirect to HTTPS, usually).`,
      `/ip hotspot walled-garden add dst-host=${q(host)} comment=${q(WALLED_GARDEN_COMMENT)}`,
    );
    cmd(
      `Payment pages at ${host} over HTTPS.`,
      `/ip hotspot walled-garden ip add ${ipTarget(host)} protocol=tcp dst-port=443 comment=${q(WALLED_GARDEN_COMMENT)}`,
    );
  }
  out.push('');

  comment(`5. The hotspot pages, written into the html-directory of the profile of every hotspot server
(whatever the profile is called; it is the directory RouterOS made for the profile, under flash/
on routers that have one, so the pages survive a reboot). login.html and flogin.html forward the guest to the portal with the
hotspot's variables; alogin.html sends them on after a login; status.html, logout.html and
rlogin.html are small pages of their own. Other files in the directory are left as they are.
One logical line per page: the loop's :local lives and dies on that line. A leading / of the
directory (html-directory=/flash/hotspot) is dropped, as /file names its files without it.`);
  for (const name of HOTSPOT_PAGES) {
    const file = q(`/${name}`);
    cmd(
      `${name}: ${PAGE_PURPOSE[name]}`,
      `:foreach s in=[/ip hotspot find] do={:local d [/ip hotspot profile get [find name=[/ip hotspot get $s profile]] html-directory]; :if ([:pick $d 0 1] = "/") do={:set d [:pick $d 1 [:len $d]]}; :if ([:len $d] > 0) do={/file remove [find name=($d . ${file})]; /file add name=($d . ${file}) contents=${wrapRosString(rosString(pages[name]))}}}`,
    );
  }
  out.push('');

  comment(`6. The profile of every hotspot server: ask RADIUS (NetFlow), send accounting, take the interim
interval from NetFlow's Access-Accept, and log guests in by http-chap (the portal hashes the code
with the router's challenge) or http-pap (the page's no-JavaScript link). Add mac-cookie to
login-by if returning devices should be logged in without the portal. (http-pap sends the code
unhashed over the hotspot's own network; it is what the page's no-JavaScript link uses.)`);
  cmd(
    'RADIUS, accounting, interim interval from NetFlow, login by http-chap or http-pap.',
    `:foreach s in=[/ip hotspot find] do={/ip hotspot profile set [find name=[/ip hotspot get $s profile]] use-radius=yes radius-accounting=yes radius-interim-update=received login-by=http-chap,http-pap}`,
  );
  out.push('');

  comment(`Check: /radius monitor [find comment="NetFlow"]   (bad-replies rising: the secret differs from NetFlow's)
Then open any http:// site from a phone on the hotspot: the NetFlow portal should appear.`);
  return out.join('\n') + '\n';
}
