// `netflow radsec init` and `netflow router radsec NAME`: NetFlow's RadSec CA and the client
// certificate of each router (see src/routers/radsec-ca.ts), with the RouterOS commands to run.
import { hostname } from 'node:os';
import { issueRouterCertificate, type IssuedRouterCertificate } from '../admin/router-radsec.js';
import type { PrismaClient } from '../db/generated/client.js';
import { initRadsecCa, checkServerNames } from '../routers/radsec-ca.js';
import type { Command, Output } from './command.js';

const ACTOR = 'cli';

/** What `router add --radsec` and `router radsec` print: where the files are and what to type. */
export function issuedText(c: IssuedRouterCertificate): string {
  return [
    `RadSec client certificate for router "${c.router}" (serial ${c.serial}, valid until ${c.notAfter.toISOString().slice(0, 10)})`,
    `fingerprint sha256 ${c.fingerprint}; any earlier certificate of this router is refused from now on`,
    `files (copy all three to the router's Files, e.g. with Winbox or scp):`,
    `  ${c.files.ca}`,
    `  ${c.files.cert}`,
    `  ${c.files.key}   (encrypted; passphrase below, shown this once)`,
    'then on the router (RouterOS 7):',
    ...c.routerosCommands.map((l) => `  ${l}`),
    'and allow TCP 2083 from the router to NetFlow in any firewall between them.',
    '',
  ].join('\n');
}

/** `router add … --radsec`: the certificate is issued right after the router row is added. */
export async function issueAfterAdd(prisma: PrismaClient, name: string, radsecDir: string): Promise<IssuedRouterCertificate> {
  return issueRouterCertificate(prisma, name, radsecDir, ACTOR);
}

export const RADSEC_COMMANDS: readonly Command[] = [
  {
    name: 'radsec init',
    usage: '--server-name NAME[,NAME…]',
    summary:
      "create NetFlow's RadSec CA (once) and its server certificate for these DNS names / IP addresses (again: a new server certificate, same CA)",
    options: { 'server-name': 'string' },
    prepare(o, defaults) {
      const names = checkServerNames((o.string('server-name') ?? hostname()).split(','));
      return async (): Promise<Output> => {
        const r = await initRadsecCa(defaults.radsecDir, names);
        return {
          data: r,
          text: [
            r.caCreated ? `RadSec CA created in ${r.dir} (ca.key is readable by this user only)` : `RadSec CA in ${r.dir} kept`,
            `CA fingerprint sha256 ${r.caFingerprint}`,
            `server certificate for ${r.serverNames.join(', ')} written (${r.files.serverCert})`,
            'netflow serve now listens for RadSec on TCP RADSEC_PORT (2083) after a restart;',
            'issue routers their certificates with: netflow router radsec NAME (or router add … --radsec)',
            '',
          ].join('\n'),
        };
      };
    },
  },
  {
    name: 'router radsec',
    usage: 'NAME',
    summary: 'issue (or reissue) a router its RadSec client certificate and print the RouterOS commands to install it',
    options: {},
    positionals: 1,
    positionalFields: { name: 'NAME' },
    prepare(o, defaults) {
      const name = o.positional(0, 'NAME');
      return async (prisma) => {
        const c = await issueRouterCertificate(prisma, name, defaults.radsecDir, ACTOR);
        return { data: c, text: issuedText(c) };
      };
    },
  },
];
