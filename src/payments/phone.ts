// Phone numbers as guests type them ("0754 000 111", "+255754000111", "754000111") → E.164 digits,
// validated against the country's mobile ranges, with the network the prefix suggests. Numbers are
// portable between networks, so the network only pre-selects a choice the guest can change.
// Rules and tables: ../shared/notes/payments.md §9.
import type { Network } from './provider.js';

export type Country = 'TZ' | 'KE';

export interface PhoneNumber {
  /** E.164 without "+": 255754000111. */
  e164: string;
  country: Country;
  /** The 9-digit national significant number: 754000111. */
  national: string;
  /** What the prefix suggests (null when the range has no known operator). */
  network: Network | null;
}

export class PhoneError extends Error {
  constructor(
    readonly en: string,
    readonly sw: string,
  ) {
    super(en);
  }
}

const COUNTRY_CODE: Record<Country, string> = { TZ: '255', KE: '254' };

/** libphonenumber's mobile patterns for the national number (§9, step 2). */
const MOBILE: Record<Country, RegExp> = {
  TZ: /^(6[125-9]|7[13-9])\d{7}$/,
  KE: /^(7\d\d|1(0[0-8]|1[0-7]|2[014]|30))\d{6}$/,
};

/** Prefix (national digits, longest match wins) → network. Data, not code: ranges change. */
const PREFIXES: Record<Country, ReadonlyArray<readonly [string, Network]>> = {
  TZ: [
    ['74', 'vodacom'],
    ['75', 'vodacom'],
    ['76', 'vodacom'],
    ['65', 'yas'],
    ['67', 'yas'],
    ['71', 'yas'],
    ['77', 'yas'],
    ['68', 'airtel'],
    ['69', 'airtel'],
    ['78', 'airtel'],
    ['61', 'halotel'],
    ['62', 'halotel'],
    ['73', 'ttcl'],
  ],
  KE: [
    ...['70', '71', '72', '79'].map((p) => [p, 'safaricom'] as const),
    ...['740', '741', '742', '743', '745', '746', '748', '757', '758', '759', '768', '769'].map((p) => [p, 'safaricom'] as const),
    ...['110', '111', '112', '113', '114', '115', '116', '117'].map((p) => [p, 'safaricom'] as const),
    ...['73', '78'].map((p) => [p, 'airtel'] as const),
    ...['750', '751', '752', '753', '754', '755', '756', '762'].map((p) => [p, 'airtel'] as const),
    ...['100', '101', '102', '103', '104', '105', '106', '107', '108'].map((p) => [p, 'airtel'] as const),
    ['77', 'telkom'],
  ],
};

export function networkFor(country: Country, national: string): Network | null {
  let best: readonly [string, Network] | null = null;
  for (const entry of PREFIXES[country]) {
    if (national.startsWith(entry[0]) && (!best || entry[0].length > best[0].length)) best = entry;
  }
  return best ? best[1] : null;
}

/**
 * Normalises what the guest typed. Local forms (0XXXXXXXXX, XXXXXXXXX) are read in the site's
 * country; the other country only with its code written out — never guessed.
 */
export function parsePhone(input: string, defaultCountry: Country): PhoneNumber {
  const cleaned = input.trim().replace(/[\s\-.()]/g, '');
  if (cleaned === '') throw new PhoneError('Enter your mobile money phone number.', 'Weka namba yako ya simu ya pesa.');
  let digits = cleaned.startsWith('+') ? cleaned.slice(1) : cleaned.startsWith('00') ? cleaned.slice(2) : cleaned;
  if (!/^\d+$/.test(digits)) {
    throw new PhoneError('A phone number has digits only, e.g. 0754 123 456.', 'Namba ya simu ina tarakimu tu, mfano 0754 123 456.');
  }
  let country = defaultCountry;
  if (digits.length === 12 && (digits.startsWith('255') || digits.startsWith('254'))) {
    country = digits.startsWith('255') ? 'TZ' : 'KE';
    digits = digits.slice(3);
  } else if (digits.length === 10 && digits.startsWith('0')) {
    digits = digits.slice(1);
  } else if (digits.length !== 9) {
    throw new PhoneError(
      'That number has the wrong length: use 10 digits starting with 0 (0754 123 456) or the full international form (+255 754 123 456).',
      'Urefu wa namba si sahihi: tumia tarakimu 10 zinazoanza na 0 (0754 123 456) au namba kamili ya kimataifa (+255 754 123 456).',
    );
  }
  if (!MOBILE[country].test(digits)) {
    throw new PhoneError(
      `That is not a ${country === 'TZ' ? 'Tanzanian' : 'Kenyan'} mobile number.`,
      `Hii si namba ya simu ya mkononi ya ${country === 'TZ' ? 'Tanzania' : 'Kenya'}.`,
    );
  }
  return { e164: COUNTRY_CODE[country] + digits, country, national: digits, network: networkFor(country, digits) };
}
