// Small pieces every provider adapter needs.
import { timingSafeEqual } from 'node:crypto';
import type { FailureReason, InitiateResult } from '../provider.js';

/** An environment variable's trimmed value, or undefined when unset or blank. */
export function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** Compares a received signature with the expected one in constant time. */
export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** An initiation that failed before or at the provider: nothing to wait for. */
export function failedInitiate(reason: FailureReason, message: string, raw: unknown): InitiateResult {
  return { outcome: 'failed', providerRef: null, reason, message, raw };
}
