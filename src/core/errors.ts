// Errors the domain and admin operations raise for bad input. The CLI prints them as one line (exit 2) and
// the dashboard will show them next to the form field, so they carry the field they are about.

export class InputError extends Error {
  /**
   * @param message one line an operator can act on, e.g. "ip must be an IPv4 or IPv6 address"
   * @param field the input field (camelCase, as in the operation's input) the message is about
   */
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/**
 * Well-formed input that collides with what the database already holds: a router name or IP,
 * a package name, an admin's email that is taken. The CLI exits 3 for it (2 is for a mistyped
 * command or value), so a provisioning script can tell "already there" from "wrong"; an HTTP
 * API would answer 409.
 */
export class ConflictError extends InputError {
  constructor(message: string, field?: string) {
    super(message, field);
    this.name = 'ConflictError';
  }
}

/**
 * The record the input names does not exist (a router name, a package id). The CLI treats it as any
 * input error (exit 2); the admin API answers 404.
 */
export class NotFoundError extends InputError {
  constructor(message: string, field?: string) {
    super(message, field);
    this.name = 'NotFoundError';
  }
}

/** Shorthand for a field error whose message starts with the field name. */
export function invalid(field: string, problem: string): InputError {
  return new InputError(`${field} ${problem}`, field);
}

/**
 * The words of the unique index (or the columns) a Prisma write collided with, e.g.
 * ['routers', 'ip', 'key'], or null when `err` is not a unique violation (P2002). Through the pg
 * driver adapter the index name sits under meta.driverAdapterError.cause.constraint; older
 * engines put the columns in meta.target.
 */
export function uniqueViolation(err: unknown): string[] | null {
  if (typeof err !== 'object' || err === null || (err as { code?: unknown }).code !== 'P2002') return null;
  const meta = (err as { meta?: Record<string, unknown> }).meta ?? {};
  const cause = (meta.driverAdapterError as { cause?: { constraint?: { index?: string; fields?: string[] } } } | undefined)?.cause;
  const target = cause?.constraint?.index ?? cause?.constraint?.fields?.join(',') ?? meta.target;
  const joined = Array.isArray(target) ? target.join(',') : typeof target === 'string' ? target : '';
  return joined.split(/[_,]/);
}
