// Small input checks shared by the domain and admin operations; each throws an InputError naming the field.
import { invalid } from './errors.js';

const INT32_MAX = 2_147_483_647;

/** A trimmed, non-empty, single-line text of at most `max` characters. */
export function text(field: string, value: string, max: number): string {
  const v = value.trim();
  if (v === '') throw invalid(field, 'must not be empty');
  if (v.length > max) throw invalid(field, `must be at most ${max} characters`);
  // Control characters would garble tables, logs and RouterOS scripts.
  if (/[\u0000-\u001f\u007f]/.test(v)) throw invalid(field, 'must not contain control characters');
  return v;
}

/** A whole number in [min, max] (the columns are 32-bit integers). */
export function wholeNumber(field: string, value: number, min = 1, max = INT32_MAX): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range =
      max === INT32_MAX
        ? min === 1
          ? 'a positive whole number'
          : `a whole number of at least ${min}`
        : `a whole number from ${min} to ${max}`;
    throw invalid(field, `must be ${range}`);
  }
  return value;
}

/** One of the allowed words. */
export function oneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw invalid(field, `must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}
