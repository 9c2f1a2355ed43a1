// Access codes: the User-Name (and password) a guest logs in with, for vouchers and purchases
// alike. Codes share one namespace, so every new one is checked against the entitlements table.
import { randomInt } from 'node:crypto';
import type { Prisma } from '../db/generated/client.js';
import { invalid } from '../core/errors.js';

/** No 0/O, 1/I/L: codes are read off paper and typed on phones. 31 symbols, ~5 bits each. */
export const VOUCHER_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** Rows per query, well under PostgreSQL's 65535 bind parameters. */
export const CHUNK = 1000;

/** A code from a cryptographic RNG: codes are bearer credentials and must not be guessable. */
export function generateCode(length: number, prefix = ''): string {
  let code = prefix;
  for (let i = 0; i < length; i++) code += VOUCHER_ALPHABET[randomInt(VOUCHER_ALPHABET.length)];
  return code;
}

/** One code that no entitlement uses yet. */
export async function freshCode(tx: Prisma.TransactionClient, length = 8): Promise<string> {
  for (;;) {
    const code = generateCode(length);
    if (!(await tx.entitlement.findUnique({ where: { code }, select: { id: true } }))) return code;
  }
}

/** `count` codes that no entitlement uses yet (codes share one namespace with purchases). */
export async function freshCodes(tx: Prisma.TransactionClient, count: number, prefix: string, length: number): Promise<string[]> {
  const codes = new Set<string>();
  let candidates: string[] = [];
  for (let round = 0; round < 20; round++) {
    while (codes.size + candidates.length < count) {
      const code = generateCode(length, prefix);
      if (!codes.has(code) && !candidates.includes(code)) candidates.push(code);
    }
    const taken = new Set<string>();
    for (let i = 0; i < candidates.length; i += CHUNK) {
      const rows = await tx.entitlement.findMany({ where: { code: { in: candidates.slice(i, i + CHUNK) } }, select: { code: true } });
      for (const r of rows) taken.add(r.code);
    }
    for (const c of candidates) if (!taken.has(c)) codes.add(c);
    if (codes.size === count) return [...codes];
    candidates = [];
  }
  throw invalid('length', 'is too short to find enough unused codes; use longer codes');
}
