// Amounts arrive in a currency's minor unit (as NetFlow stores them); people read major units.
// The exponents are ISO 4217's, as NetFlow's own table (src/admin/money.ts) has them.
const ZERO = new Set(['UGX', 'RWF', 'BIF', 'DJF', 'KMF', 'XOF', 'XAF', 'JPY', 'KRW']);
const THREE = new Set(['BHD', 'KWD', 'OMR', 'JOD', 'TND', 'LYD', 'IQD']);

export function exponent(currency: string): number {
  return ZERO.has(currency) ? 0 : THREE.has(currency) ? 3 : 2;
}

export function major(minor: number, currency: string): number {
  return minor / 10 ** exponent(currency);
}

/** "12,500 TZS": whole amounts without decimals, others with the currency's decimals. */
export function money(minor: number, currency: string, locale = 'en-GB'): string {
  const value = major(minor, currency);
  const digits = Number.isInteger(value) ? 0 : exponent(currency);
  return `${value.toLocaleString(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${currency}`;
}
