// A router's RouterOS API credentials as the jobs need them: the sealed password opened, the host
// defaulting to the router's RADIUS address. What operators see is only `user@host:port`.
import type { PrismaClient } from '../db/generated/client.js';
import type { ApiTarget } from './routeros-client.js';
import type { SecretBox } from './secret-box.js';

export const API_PORT = 8728;
export const API_SSL_PORT = 8729;

/** What AAD binds a sealed API password to: its router (a value copied to another row does not open). */
export const apiPasswordContext = (routerId: number) => `router-api-password:${routerId}`;

interface CredentialRow {
  routerId: number;
  host: string | null;
  port: number;
  tls: boolean;
  caFile: string | null;
  username: string;
  passwordSealed: string;
  keyId: string;
}

/** "user@host:port" (+ " tls"): the whole of what is ever shown. */
export function describeApi(row: Pick<CredentialRow, 'username' | 'host' | 'port' | 'tls'>, routerIp: string): string {
  return `${row.username}@${row.host ?? routerIp}:${row.port}${row.tls ? ' (tls)' : ''}`;
}

export function targetOf(row: CredentialRow, routerIp: string, box: SecretBox): ApiTarget {
  return {
    host: row.host ?? routerIp,
    port: row.port,
    tls: row.tls,
    caFile: row.caFile,
    user: row.username,
    password: box.open(row.passwordSealed, row.keyId, apiPasswordContext(row.routerId)),
  };
}

/** The router's API target, or null when it has no credentials (NetFlow then uses RADIUS alone). */
export async function apiTargetFor(prisma: PrismaClient, box: SecretBox, routerId: number): Promise<ApiTarget | null> {
  const router = await prisma.router.findUnique({ where: { id: routerId }, include: { apiCredential: true } });
  if (!router?.apiCredential) return null;
  return targetOf(router.apiCredential, router.ip, box);
}
