// `netflow radsec init`, `router add --radsec` and `router radsec NAME`: NetFlow's CA and the
// routers' client certificates, on disk and on the router rows, with the RouterOS commands.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { fingerprintOf } from '../../src/routers/radsec-ca.js';
import { cliFor, cliWithDatabase, expectOneLineError, type RunCli } from './run-cli.js';

describe('netflow radsec', () => {
  let cli: RunCli;
  let db: Database;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    ({ db, url } = await cliWithDatabase());
    dir = path.join(await mkdtemp(path.join(tmpdir(), 'netflow-radsec-cli-')), 'radsec');
    cli = cliFor({ DATABASE_URL: url, RADSEC_DIR: dir });
  });
  afterAll(async () => {
    await db.close();
    await rm(path.dirname(dir), { recursive: true, force: true });
  });

  it('refuses --radsec before the CA exists, saying what to run', async () => {
    const r = await cli('router', 'add', '--name', 'early', '--ip', '10.9.0.1', '--radsec');
    expect(expectOneLineError(r)).toMatch(/run netflow radsec init --server-name NAME first/);
    expect(await db.prisma.router.count({ where: { name: 'early' } })).toBe(0);
  });

  it('refuses a server name that is neither a DNS name nor an address', async () => {
    expect(expectOneLineError(await cli('radsec', 'init', '--server-name', 'not a name'))).toMatch(/^netflow: --server-name "not a name"/);
  });

  it('creates the CA (key readable by its owner only) and a server certificate for the names given', async () => {
    const r = await cli('radsec', 'init', '--server-name', 'radius.example.com,203.0.113.5');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/RadSec CA created/);
    expect((await stat(path.join(dir, 'ca.key'))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'server.key'))).mode & 0o777).toBe(0o600);
    const ca = new X509Certificate(await readFile(path.join(dir, 'ca.crt')));
    const server = new X509Certificate(await readFile(path.join(dir, 'server.crt')));
    expect(ca.ca).toBe(true);
    expect(server.checkIssued(ca)).toBe(true);
    expect(server.subjectAltName).toBe('DNS:radius.example.com, IP Address:203.0.113.5');
    // Again: the CA is kept (routers' certificates stay valid), the server certificate is new.
    const again = await cli('radsec', 'init', '--server-name', 'radius.example.com,203.0.113.5', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ caCreated: false, caFingerprint: fingerprintOf(ca.toString()) });
  });

  it('router add --radsec issues the certificate, stores its fingerprint and prints the RouterOS commands', async () => {
    const r = await cli('router', 'add', '--name', 'Kariakoo Café', '--ip', '10.9.0.2', '--radsec');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const row = await db.prisma.router.findUniqueOrThrow({ where: { name: 'Kariakoo Café' } });
    const bundle = path.join(dir, 'routers', 'Kariakoo_Caf_');
    const certPem = await readFile(path.join(bundle, 'Kariakoo_Caf_.crt'), 'utf8');
    const cert = new X509Certificate(certPem);
    expect(cert.subject).toContain('CN=Kariakoo Café');
    expect(cert.checkIssued(new X509Certificate(await readFile(path.join(bundle, 'netflow-ca.crt'))))).toBe(true);
    expect(row.radsecFingerprint).toBe(fingerprintOf(certPem));
    expect(row.radsecSerial).toBe(cert.serialNumber.toLowerCase());
    expect(row.secret.length).toBeGreaterThanOrEqual(16); // a random UDP secret when none was given
    expect((await stat(path.join(bundle, 'Kariakoo_Caf_.key'))).mode & 0o777).toBe(0o600);
    // The key is encrypted; the passphrase printed once opens it.
    const passphrase = /passphrase="([A-Za-z0-9]+)"/.exec(r.stdout)![1];
    const keyPem = await readFile(path.join(bundle, 'Kariakoo_Caf_.key'), 'utf8');
    expect(keyPem).toContain('ENCRYPTED PRIVATE KEY');
    expect(() => createPrivateKey({ key: keyPem, passphrase })).not.toThrow();
    expect(r.stdout).toContain('/certificate import file-name=netflow-ca.crt passphrase=""');
    expect(r.stdout).toContain(
      '/radius add service=hotspot protocol=radsec address=203.0.113.5 certificate=Kariakoo_Caf_.crt_0 secret=radsec timeout=3s comment="NetFlow"',
    );
    expect(r.stdout).toMatch(/TCP 2083/);
    const audit = await db.prisma.auditLog.findFirstOrThrow({ where: { action: 'router.radsec_certificate', subject: 'Kariakoo Café' } });
    expect(audit.details).toMatchObject({ before: { fingerprint: null }, after: { fingerprint: row.radsecFingerprint } });
    expect(JSON.stringify(audit.details)).not.toContain(passphrase);
  });

  it('router radsec NAME reissues: a new fingerprint replaces the old one; an unknown name is refused', async () => {
    const before = await db.prisma.router.findUniqueOrThrow({ where: { name: 'Kariakoo Café' } });
    const r = await cli('router', 'radsec', 'Kariakoo Café', '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    const after = await db.prisma.router.findUniqueOrThrow({ where: { name: 'Kariakoo Café' } });
    expect(after.radsecFingerprint).toBe(out.fingerprint);
    expect(after.radsecFingerprint).not.toBe(before.radsecFingerprint);
    expect(expectOneLineError(await cli('router', 'radsec', 'nobody'))).toMatch(/no router named "nobody"/);
  });
});
