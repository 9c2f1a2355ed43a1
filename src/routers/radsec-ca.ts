// NetFlow's own small certificate authority for RadSec (RADIUS over TLS, RFC 6614): a CA key and
// self-signed CA certificate, the server certificate NetFlow presents on TCP 2083, and one client
// certificate per router, in files RouterOS imports (`/certificate import`).
//
// Why node-forge: node:crypto makes keys and reads certificates (X509Certificate) but cannot
// issue one. node-forge is pure JavaScript with no dependencies and no install script, so the
// Docker image (node:22-bookworm-slim, which has no `openssl` program) and every developer machine
// issue certificates the same way; @peculiar/x509 would also do, but needs a global
// reflect-metadata polyfill. Keys are made by node:crypto (native, fast) and only the signing
// is forge's.
import { generateKeyPairSync, randomBytes, X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import forge from 'node-forge';
import { createHash } from 'node:crypto';
import { invalid } from '../core/errors.js';

const { pki } = forge;

export const CA_KEY = 'ca.key';
export const CA_CERT = 'ca.crt';
export const SERVER_KEY = 'server.key';
export const SERVER_CERT = 'server.crt';
/** The CA certificate as routers import it (beside their own certificate and key). */
export const ROUTER_CA_FILE = 'netflow-ca.crt';

const YEAR_MS = 365 * 24 * 3600 * 1000;

export class RadsecCaError extends Error {}

export interface RadsecFiles {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

export function radsecFiles(dir: string): RadsecFiles {
  return {
    dir,
    caCert: path.join(dir, CA_CERT),
    caKey: path.join(dir, CA_KEY),
    serverCert: path.join(dir, SERVER_CERT),
    serverKey: path.join(dir, SERVER_KEY),
  };
}

/** Whether `netflow radsec init` has been run in `dir` (CA and server certificate present). */
export function radsecReady(dir: string): boolean {
  const f = radsecFiles(dir);
  return [f.caCert, f.caKey, f.serverCert, f.serverKey].every((p) => existsSync(p));
}

/** The SHA-256 fingerprint of a PEM certificate as stored on the router row: 64 lowercase hex digits. */
export function fingerprintOf(certPem: string): string {
  return createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
}

function newRsaKey(): { privatePem: string; publicPem: string } {
  // RSA 2048: what every RouterOS 7 device and radsecproxy accept.
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** 16 random octets, first bit clear (a positive INTEGER), as hex. */
function newSerial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

interface IssueSpec {
  commonName: string;
  publicPem: string;
  /** Absent: self-signed (the CA). */
  issuer?: { certPem: string; keyPem: string };
  signingKeyPem: string;
  years: number;
  extensions: object[];
}

function issue(spec: IssueSpec): { pem: string; serial: string } {
  const cert = pki.createCertificate();
  cert.publicKey = pki.publicKeyFromPem(spec.publicPem);
  cert.serialNumber = newSerial();
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60_000); // a router's clock a few minutes behind still accepts it
  cert.validity.notAfter = new Date(now + spec.years * YEAR_MS);
  const subject = [
    { name: 'organizationName', value: 'NetFlow' },
    { name: 'commonName', value: spec.commonName },
  ];
  cert.setSubject(subject);
  cert.setIssuer(spec.issuer ? pki.certificateFromPem(spec.issuer.certPem).subject.attributes : subject);
  cert.setExtensions([...spec.extensions, { name: 'subjectKeyIdentifier' }]);
  cert.sign(pki.privateKeyFromPem(spec.signingKeyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { pem: pki.certificateToPem(cert), serial: cert.serialNumber };
}

async function writeSecret(file: string, text: string): Promise<void> {
  await writeFile(file, text, { mode: 0o600 });
  await chmod(file, 0o600); // an existing file keeps its mode on write
}

/** DNS names and IP addresses for the server certificate's subjectAltName. */
export function checkServerNames(names: string[]): string[] {
  const clean = names.map((n) => n.trim()).filter(Boolean);
  if (clean.length === 0) throw invalid('serverName', 'needs at least one DNS name or IP address routers use to reach NetFlow');
  for (const n of clean) {
    if (!isIP(n) && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(n)) {
      throw invalid('serverName', `"${n}" is neither a DNS name nor an IP address`);
    }
  }
  return clean;
}

export interface InitResult {
  dir: string;
  /** false: the CA already existed and was kept (issued router certificates stay valid). */
  caCreated: boolean;
  caFingerprint: string;
  serverNames: string[];
  serverFingerprint: string;
  files: RadsecFiles;
}

/**
 * Creates the CA (once) and issues NetFlow's server certificate for `serverNames`. Run again, it
 * keeps the CA and issues a new server certificate (e.g. for a new name), so routers' certificates
 * stay valid.
 */
export async function initRadsecCa(dir: string, serverNames: string[]): Promise<InitResult> {
  const names = checkServerNames(serverNames);
  const files = radsecFiles(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let caCreated = false;
  if (!existsSync(files.caKey) || !existsSync(files.caCert)) {
    const key = newRsaKey();
    const ca = issue({
      commonName: 'NetFlow RadSec CA',
      publicPem: key.publicPem,
      signingKeyPem: key.privatePem,
      years: 20,
      extensions: [
        { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    await writeSecret(files.caKey, key.privatePem);
    await writeFile(files.caCert, ca.pem);
    caCreated = true;
  }
  const caCertPem = await readFile(files.caCert, 'utf8');
  const caKeyPem = await readFile(files.caKey, 'utf8');
  const key = newRsaKey();
  const server = issue({
    commonName: names[0],
    publicPem: key.publicPem,
    issuer: { certPem: caCertPem, keyPem: caKeyPem },
    signingKeyPem: caKeyPem,
    years: 10,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: names.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
    ],
  });
  await writeSecret(files.serverKey, key.privatePem);
  await writeFile(files.serverCert, server.pem + caCertPem);
  return {
    dir,
    caCreated,
    caFingerprint: fingerprintOf(caCertPem),
    serverNames: names,
    serverFingerprint: fingerprintOf(server.pem),
    files,
  };
}

export interface ServerMaterial {
  ca: string;
  cert: string;
  key: string;
}

/** The PEM NetFlow's RadSec listener needs; a clear error when `netflow radsec init` was not run. */
export async function loadServerMaterial(dir: string): Promise<ServerMaterial> {
  if (!radsecReady(dir)) throw new RadsecCaError(`no RadSec CA in ${dir}: run netflow radsec init --server-name NAME first`);
  const f = radsecFiles(dir);
  const [ca, cert, key] = await Promise.all([readFile(f.caCert, 'utf8'), readFile(f.serverCert, 'utf8'), readFile(f.serverKey, 'utf8')]);
  return { ca, cert, key };
}

export interface ClientCertificate {
  /** PEM certificate, key (PKCS#8, encrypted with `passphrase`) and the CA certificate. */
  certPem: string;
  keyPem: string;
  caPem: string;
  /** For `/certificate import … passphrase=`: shown once, stored nowhere. */
  passphrase: string;
  fingerprint: string;
  serial: string;
  notAfter: Date;
}

/** A client certificate for one router (CN = its name), signed by NetFlow's CA. */
export async function issueClientCertificate(dir: string, routerName: string): Promise<ClientCertificate> {
  if (!radsecReady(dir)) throw new RadsecCaError(`no RadSec CA in ${dir}: run netflow radsec init --server-name NAME first`);
  const f = radsecFiles(dir);
  const caPem = await readFile(f.caCert, 'utf8');
  const caKeyPem = await readFile(f.caKey, 'utf8');
  const key = newRsaKey();
  const cert = issue({
    commonName: routerName,
    publicPem: key.publicPem,
    issuer: { certPem: caPem, keyPem: caKeyPem },
    signingKeyPem: caKeyPem,
    years: 10,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  });
  // Letters and digits only: RouterOS's command line takes it without quoting trouble.
  const passphrase = randomBytes(18).toString('base64url').replace(/[-_]/g, 'x');
  const keyPem = createPrivateKey(key.privatePem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
  const x509 = new X509Certificate(cert.pem);
  return {
    certPem: cert.pem,
    keyPem,
    caPem,
    passphrase,
    fingerprint: fingerprintOf(cert.pem),
    serial: cert.serial,
    notAfter: new Date(x509.validTo),
  };
}

/** The IP addresses in NetFlow's server certificate (what a router's `/radius address=` can be). */
export async function serverAddresses(dir: string): Promise<string[]> {
  const san = new X509Certificate(await readFile(radsecFiles(dir).serverCert, 'utf8')).subjectAltName ?? '';
  return san
    .split(', ')
    .filter((s) => s.startsWith('IP Address:'))
    .map((s) => s.slice('IP Address:'.length));
}

/** A router name as a file name: letters, digits, dot, dash and underscore kept, the rest "_". */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
}

export interface WrittenBundle {
  dir: string;
  cert: string;
  key: string;
  ca: string;
}

/** Writes a router's certificate, key and the CA certificate into dir/routers/<name>/. */
export async function writeRouterBundle(dir: string, routerName: string, c: ClientCertificate): Promise<WrittenBundle> {
  const safe = fileSafe(routerName);
  const out = path.join(dir, 'routers', safe);
  await mkdir(out, { recursive: true, mode: 0o700 });
  const files = { dir: out, cert: path.join(out, `${safe}.crt`), key: path.join(out, `${safe}.key`), ca: path.join(out, ROUTER_CA_FILE) };
  await writeFile(files.cert, c.certPem);
  await writeSecret(files.key, c.keyPem);
  await writeFile(files.ca, c.caPem);
  return files;
}
