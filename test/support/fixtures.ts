// Rows the tests need, created through Prisma as the CLI and dashboard would.
import type { Database } from '../../src/db/database.js';

let seq = 0;

export async function addRouter(
  db: Database,
  over: Partial<{ name: string; ip: string; secret: string; messageAuthenticator: 'yes' | 'no' | 'auto'; acceptsTestMoney: boolean }> = {},
) {
  seq++;
  return db.prisma.router.create({
    data: {
      name: over.name ?? `router-${seq}`,
      ip: over.ip ?? '127.0.0.1',
      secret: over.secret ?? 'testing123testing123',
      messageAuthenticator: over.messageAuthenticator ?? 'auto',
      acceptsTestMoney: over.acceptsTestMoney ?? false,
    },
  });
}

export async function addPackage(
  db: Database,
  over: Partial<{
    name: string;
    minutes: number;
    rateLimitUp: string;
    rateLimitDown: string;
    dataCapBytes: bigint | null;
    devicesAllowed: number;
    idleTimeoutSeconds: number | null;
    clockStartsAt: 'purchase' | 'first_login';
  }> = {},
) {
  seq++;
  return db.prisma.package.create({
    data: {
      name: over.name ?? `package-${seq}`,
      minutes: over.minutes ?? 60,
      priceMinor: 100000n,
      currency: 'TZS',
      rateLimitUp: over.rateLimitUp ?? '2M',
      rateLimitDown: over.rateLimitDown ?? '5M',
      dataCapBytes: over.dataCapBytes ?? null,
      devicesAllowed: over.devicesAllowed ?? 1,
      idleTimeoutSeconds: over.idleTimeoutSeconds ?? null,
      clockStartsAt: over.clockStartsAt ?? 'first_login',
    },
  });
}

export async function addEntitlement(
  db: Database,
  packageId: number,
  over: Partial<{
    code: string;
    password: string;
    routerId: number | null;
    expiresAt: Date | null;
    redeemBy: Date | null;
    status: 'active' | 'revoked';
  }> = {},
) {
  seq++;
  const code = over.code ?? `CODE${seq}`;
  return db.prisma.entitlement.create({
    data: {
      code,
      password: over.password ?? code,
      packageId,
      routerId: over.routerId ?? null,
      source: 'voucher',
      status: over.status ?? 'active',
      expiresAt: over.expiresAt ?? null,
      startsAt: over.expiresAt ? new Date() : null,
      redeemBy: over.redeemBy ?? null,
    },
  });
}
