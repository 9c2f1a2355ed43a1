// Prices are stored as integers in the currency's minor unit (price_minor), never as floats.
// How many decimals a currency has is its ISO 4217 exponent: TZS and KES have 2 (cents exist
// on paper even if nobody pays in them), UGX and RWF have none.
import { invalid, InputError } from '../core/errors.js';

/** ISO 4217 minor-unit exponents for the currencies NetFlow is likely to meet. */
const EXPONENTS: Readonly<Record<string, number>> = {
  // East Africa first: where the hotspots are.
  TZS: 2,
  KES: 2,
  UGX: 0,
  RWF: 0,
  BIF: 0,
  ETB: 2,
  SOS: 2,
  SSP: 2,
  CDF: 2,
  DJF: 0,
  KMF: 0,
  MGA: 2,
  MWK: 2,
  MZN: 2,
  ZMW: 2,
  ZAR: 2,
  NGN: 2,
  GHS: 2,
  XOF: 0,
  XAF: 0,
  EGP: 2,
  MAD: 2,
  // Common reference currencies.
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  CNY: 2,
  INR: 2,
  AED: 2,
  SAR: 2,
  JPY: 0,
  KRW: 0,
  // Three-decimal currencies, so the table is not accidentally "2 or 0" everywhere.
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  TND: 3,
  LYD: 3,
  IQD: 3,
};

export function currencyExponent(currency: string): number {
  const exponent = EXPONENTS[currency];
  if (exponent === undefined) {
    throw new InputError(`currency "${currency}" is not a known ISO 4217 code (e.g. TZS, KES, UGX, RWF, USD)`, 'currency');
  }
  return exponent;
}

/** Upper-cases and checks a currency code. */
export function normalizeCurrency(raw: string): string {
  const currency = raw.trim().toUpperCase();
  currencyExponent(currency);
  return currency;
}

/** "1500" or "1500.50" in `currency` → minor units (150000n for TZS). Exact: no floating point. */
export function parseAmount(raw: string, currency: string, field = 'price'): bigint {
  const exponent = currencyExponent(currency);
  const m = /^(\d{1,15})(?:\.(\d+))?$/.exec(raw.trim());
  if (!m) throw invalid(field, `must be an amount like 1000 or 1000.50, got "${raw}"`);
  const [, whole, fraction = ''] = m;
  if (fraction.length > exponent) {
    throw invalid(
      field,
      exponent === 0 ? `must be a whole amount: ${currency} has no minor unit` : `has too many decimals: ${currency} allows ${exponent}`,
    );
  }
  return BigInt(whole) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
}

/** Minor units back to "1500.50 TZS" (or "5000 UGX"). */
export function formatAmount(minor: bigint, currency: string): string {
  const exponent = EXPONENTS[currency] ?? 2;
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  const scale = 10n ** BigInt(exponent);
  const whole = (abs / scale).toString();
  const fraction = exponent > 0 ? '.' + (abs % scale).toString().padStart(exponent, '0') : '';
  return `${sign}${whole}${fraction} ${currency}`;
}
