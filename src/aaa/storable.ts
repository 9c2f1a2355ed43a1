// What PostgreSQL can store, checked before a value from the wire reaches SQL. One value the
// database refuses would fail the whole batch it travels in (every router's requests of that
// moment), so such a request is refused here, alone, and the RADIUS server drops it as malformed.
// These values are impossible from a real router: a NUL inside a text attribute (RFC 2865 §5
// text is UTF-8 characters; PostgreSQL text cannot hold U+0000), a counter past 2^31 − 1 seconds
// (68 years), a byte count past 2^63 − 1 (8 EiB).

export const INT4_MAX = 2_147_483_647;
export const INT8_MAX = (1n << 63n) - 1n;

/** A request carries a value the database cannot hold: it is dropped as malformed, never retried. */
export class UnstorableValue extends Error {
  override name = 'UnstorableValue';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

export function storableText(field: string, value: string | null): string | null {
  if (value?.includes('\0')) throw new UnstorableValue(field, 'contains a NUL character');
  return value;
}

/** A non-negative count or code stored as PostgreSQL int (RADIUS integers are unsigned 32-bit). */
export function storableInt4(field: string, value: number | null): number | null {
  if (value !== null && !(Number.isInteger(value) && value >= 0 && value <= INT4_MAX))
    throw new UnstorableValue(field, `is out of range (${value})`);
  return value;
}

export function storableInt8(field: string, value: bigint | null): bigint | null {
  if (value !== null && (value < 0n || value > INT8_MAX)) throw new UnstorableValue(field, `is out of range (${value})`);
  return value;
}

/**
 * A database error that the same input will always raise (SQLSTATE class 22, data exception):
 * the item is dropped as malformed rather than answered with an error and retried.
 */
export function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/**
 * An error that splitting a batch cannot help: no SQLSTATE (the connection failed or was cut),
 * class 08 (connection exception) or 57 (operator intervention, e.g. the server is shutting down).
 */
export function isConnectionFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08') || code.startsWith('57');
}
