// The packages guests buy (or get as vouchers): time, speed, optional data cap, devices at once.
import type { ClockStart, PrismaClient } from '../db/generated/client.js';
import { isValidRate } from '../radius/values.js';
import { recordAudit } from '../audit/audit.js';
import { ConflictError, InputError, invalid, uniqueViolation, NotFoundError } from '../core/errors.js';
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

/** What an edit may change; absent fields stay as they are. */
export type PackageChanges = Partial<Omit<PackageInput, 'dataMb' | 'idleTimeout'>> & {
  /** false: no longer sold (codes already sold keep working); true: on sale again. */
  active?: boolean;
  /** null removes the data cap / idle timeout. */
  dataMb?: string | null;
  idleTimeout?: number | null;
};

/** Validates the changes without touching the database (price needs the currency: see changePackage). */
export function checkPackageChanges(changes: PackageChanges, current: { currency: string }) {
  const currency = changes.currency === undefined ? current.currency : normalizeCurrency(changes.currency);
  const rate = changes.rateLimit === undefined ? undefined : parseRateLimit(changes.rateLimit);
  const clock = changes.clock === undefined ? undefined : oneOf('clock', changes.clock, ['purchase', 'first-login'] as const);
  return {
    ...(changes.name === undefined ? {} : { name: text('name', changes.name, 64) }),
    ...(changes.minutes === undefined ? {} : { minutes: wholeNumber('minutes', changes.minutes, 1, TEN_YEARS_MINUTES) }),
    ...(changes.currency === undefined ? {} : { currency }),
    ...(changes.price === undefined ? {} : { priceMinor: parseAmount(changes.price, currency) }),
    ...(rate === undefined ? {} : { rateLimitUp: rate.up, rateLimitDown: rate.down }),
    ...(changes.dataMb === undefined ? {} : { dataCapBytes: changes.dataMb === null ? null : parseDataMb(changes.dataMb) }),
    ...(changes.devices === undefined ? {} : { devicesAllowed: wholeNumber('devices', changes.devices) }),
    ...(changes.idleTimeout === undefined
      ? {}
      : { idleTimeoutSeconds: changes.idleTimeout === null ? null : wholeNumber('idleTimeout', changes.idleTimeout) }),
    ...(clock === undefined ? {} : { clockStartsAt: (clock === 'first-login' ? 'first_login' : 'purchase') as ClockStart }),
    ...(changes.active === undefined ? {} : { active: changes.active }),
  };
}

const auditable = (p: PackageRow, keys: string[]) =>
  Object.fromEntries(
    keys.map((k) => [k, (p as unknown as Record<string, unknown>)[k]]).map(([k, v]) => [k, typeof v === 'bigint' ? String(v) : v]),
  );

/**
 * Edits a package. Codes already sold keep the package row, so a new price applies to sales from
 * now on; a new duration or speed applies to codes whose clock has not run out (the next login or
 * CoA reads the package). Disabling stops sales; it never cuts anyone off.
 */
export async function changePackage(prisma: PrismaClient, id: number, changes: PackageChanges, actor: string): Promise<PackageView> {
  try {
    return await prisma.$transaction(async (tx) => {
      const before = await tx.package.findUnique({ where: { id } });
      if (!before) throw new NotFoundError(`no package with id ${id} (see: netflow package list)`, 'id');
      const data = checkPackageChanges(changes, before);
      if (Object.keys(data).length === 0) throw new InputError('nothing to change: give at least one field');
      const after = await tx.package.update({ where: { id }, data });
      const keys = Object.keys(data);
      await recordAudit(tx, {
        actor,
        action: changes.active === false && keys.length === 1 ? 'package.disable' : 'package.change',
        subject: after.name,
        details: { id, before: auditable(before, keys), after: auditable(after, keys) },
      });
      return view(after);
    });
  } catch (err) {
    if (uniqueViolation(err) === null) throw err;
    throw new ConflictError(`a package named "${changes.name}" already exists`, 'name');
  }
}

export async function findPackage(prisma: PrismaClient, id: number): Promise<PackageView | null> {
  const p = await prisma.package.findUnique({ where: { id } });
  return p ? view(p) : null;
}
