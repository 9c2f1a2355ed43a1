// Issuing a router its RadSec client certificate: the certificate is signed by NetFlow's CA
// (src/routers/radsec-ca.ts), its fingerprint and serial go on the router row (the RadSec server
// knows the router by it, at once through the routers table's NOTIFY), and the files RouterOS
// imports are written for the operator. A new certificate replaces the old one: the old one is
// refused from then on.
import type { PrismaClient } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';
import { InputError } from '../core/errors.js';
import { issueClientCertificate, serverAddresses, writeRouterBundle, type WrittenBundle } from '../routers/radsec-ca.js';

export interface IssuedRouterCertificate {
  router: string;
  fingerprint: string;
  serial: string;
  notAfter: Date;
  files: WrittenBundle;
  /** For the key file's `/certificate import … passphrase=`; shown once, stored nowhere. */
  passphrase: string;
  /** What to type on the router, in order. */
  routerosCommands: string[];
}

export async function issueRouterCertificate(
  prisma: PrismaClient,
  name: string,
  radsecDir: string,
  actor: string,
): Promise<IssuedRouterCertificate> {
  const router = await prisma.router.findUnique({ where: { name } });
  if (!router) throw new InputError(`no router named "${name}" (see: netflow router list)`, 'name');
  const cert = await issueClientCertificate(radsecDir, router.name);
  const files = await writeRouterBundle(radsecDir, router.name, cert);
  await prisma.$transaction(async (tx) => {
    await tx.router.update({
      where: { id: router.id },
      data: { radsecFingerprint: cert.fingerprint, radsecSerial: cert.serial, radsecIssuedAt: new Date() },
    });
    await recordAudit(tx, {
      actor,
      action: 'router.radsec_certificate',
      subject: router.name,
      details: {
        before: { fingerprint: router.radsecFingerprint, serial: router.radsecSerial },
        after: { fingerprint: cert.fingerprint, serial: cert.serial },
      },
    });
  });
  const address = (await serverAddresses(radsecDir))[0] ?? '<NetFlow IP>';
  return {
    router: router.name,
    fingerprint: cert.fingerprint,
    serial: cert.serial,
    notAfter: cert.notAfter,
    files,
    passphrase: cert.passphrase,
    routerosCommands: routerosRadsecCommands(files, cert.passphrase, address),
  };
}

const base = (file: string) => file.split('/').at(-1)!;

/**
 * The RouterOS 7 commands for RadSec once the three files are in the router's Files: the CA
 * (trusted, so the router checks NetFlow's server certificate), the router's certificate and its
 * key (RouterOS names an imported certificate after its file, with "_0"), then the /radius entry
 * with the fixed secret "radsec" (RFC 6614).
 */
export function routerosRadsecCommands(files: WrittenBundle, passphrase: string, address: string): string[] {
  const cert = base(files.cert);
  return [
    `/certificate import file-name=${base(files.ca)} passphrase=""`,
    `/certificate import file-name=${cert} passphrase=""`,
    `/certificate import file-name=${base(files.key)} passphrase="${passphrase}"`,
    `/certificate set [find name~"${base(files.ca)}"] trusted=yes`,
    `/radius add service=hotspot protocol=radsec address=${address} certificate=${cert}_0 secret=radsec timeout=3s comment="NetFlow"`,
  ];
}
