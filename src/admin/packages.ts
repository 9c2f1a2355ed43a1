// The packages guests buy (or get as vouchers): time, speed, optional data cap, devices at once.
import type { ClockStart, PrismaClient } from '../db/generated/client.js';
import { isValidRate } from '../radius/values.js';
import { recordAudit } from '../audit/audit.js';
import { ConflictError, invalid, uniqueViolation } from '../core/errors.js';
import { formatAmount, normalizeCurrency, parseAmount } from './money.js';
import { oneOf, text, wholeNumber } from '../core/validate.js';

const BYTES_PER_MB = 1_000_000n; // decimal megabytes, as guests and operators count them
const TEN_YEARS_MINUTES = 10 * 365 * 24 * 60;

export interface PackageInput {
  name: string;
  minutes: number;
  /** A decimal amount in `currency`, e.g. "1000" or "2.50". */
  price: string;
  currency: string;
  /** MikroTik "UP/DOWN", e.g. "2M/5M" or "512k/1M". */
  rateLimit: string;
  /** Decimal megabytes (1 MB = 1,000,000 bytes); absent means no cap. */
  dataMb?: string;
  devices?: number;
  idleTimeout?: number;
  /** When the time starts counting: at purchase (default) or at the first login. */
  clock?: string;
}

export interface PackageView {
  id: number;
  name: string;
  minutes: number;
  priceMinor: bigint;
  currency: string;
  /** The price for people: "1000.00 TZS". */
  price: string;
  rateLimitUp: string;
  rateLimitDown: string;
  dataCapBytes: bigint | null;
  devicesAllowed: number;
  idleTimeoutSeconds: number | null;
  clockStartsAt: ClockStart;
  active: boolean;
  createdAt: Date;
}

export function parseRateLimit(raw: string): { up: string; down: string } {
  const parts = raw.trim().split('/');
  if (parts.length !== 2 || !parts.every(isValidRate)) {
    throw invalid('rateLimit', `must be UP/DOWN in MikroTik form, e.g. 2M/5M or 512k/1M, got "${raw}"`);
  }
  return { up: parts[0], down: parts[1] };
}

export function parseDataMb(raw: string): bigint {
  const m = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(raw.trim());
  if (!m) throw invalid('dataMb', `must be a number of megabytes with at most 6 decimals (1 MB = 1,000,000 bytes), got "${raw}"`);
  const bytes = BigInt(m[1]) * BYTES_PER_MB + BigInt((m[2] ?? '').padEnd(6, '0'));
  if (bytes === 0n) throw invalid('dataMb', 'must be more than 0 (leave it out for no cap)');
  return bytes;
}

/** 1500000n → "1.5 MB". */
export function formatMegabytes(bytes: bigint): string {
  const fraction = (bytes % BYTES_PER_MB).toString().padStart(6, '0').replace(/0+$/, '');
  return `${bytes / BYTES_PER_MB}${fraction ? '.' + fraction : ''} MB`;
}

type PackageRow = Omit<PackageView, 'price'> & { updatedAt: Date };

function view({ updatedAt: _, ...p }: PackageRow): PackageView {
  return { ...p, price: formatAmount(p.priceMinor, p.currency) };
}

/** Validates and converts the input (price to minor units…) without touching the database. */
export function checkPackageInput(input: PackageInput) {
  const currency = normalizeCurrency(input.currency);
  const rate = parseRateLimit(input.rateLimit);
  const clock = oneOf('clock', input.clock ?? 'purchase', ['purchase', 'first-login'] as const);
  const clockStartsAt: ClockStart = clock === 'first-login' ? 'first_login' : 'purchase';
  return {
    name: text('name', input.name, 64),
    minutes: wholeNumber('minutes', input.minutes, 1, TEN_YEARS_MINUTES),
    priceMinor: parseAmount(input.price, currency),
    currency,
    rateLimitUp: rate.up,
    rateLimitDown: rate.down,
    dataCapBytes: input.dataMb === undefined ? null : parseDataMb(input.dataMb),
    devicesAllowed: wholeNumber('devices', input.devices ?? 1),
    idleTimeoutSeconds: input.idleTimeout === undefined ? null : wholeNumber('idleTimeout', input.idleTimeout),
    clockStartsAt,
  };
}

export async function addPackage(prisma: PrismaClient, input: PackageInput, actor: string): Promise<PackageView> {
  const data = checkPackageInput(input);
  try {
    const created = await prisma.$transaction(async (tx) => {
      const pkg = await tx.package.create({ data });
      await recordAudit(tx, {
        actor,
        action: 'package.add',
        subject: pkg.name,
        details: { id: pkg.id, minutes: pkg.minutes, price: formatAmount(pkg.priceMinor, pkg.currency), rateLimit: input.rateLimit.trim() },
      });
      return pkg;
    });
    return view(created);
  } catch (err) {
    if (uniqueViolation(err) === null) throw err;
    throw new ConflictError(`a package named "${data.name}" already exists`, 'name');
  }
}

export async function listPackages(prisma: PrismaClient): Promise<PackageView[]> {
  return (await prisma.package.findMany({ orderBy: { name: 'asc' } })).map(view);
}
