// Money, time and data in the guest's language.
import type { Translator } from '../shared/i18n.js';
import type { MessageKey } from './messages.js';

export function money(minor: string, currency: string, lang: string): string {
  const amount = Number(minor) / 100;
  try {
    return new Intl.NumberFormat(lang === 'sw' ? 'sw-TZ' : 'en-US', {
      style: 'currency',
      currency,
      currencyDisplay: 'code',
      maximumFractionDigits: Number.isInteger(amount) ? 0 : 2,
    }).format(amount);
  } catch {
    return `${currency} ${amount.toLocaleString()}`;
  }
}

export function duration(seconds: number, { t }: Translator<MessageKey>): string {
  const minutes = Math.max(0, Math.round(seconds / 60));
  if (minutes < 60) return t('minutes', { n: minutes });
  if (minutes >= 48 * 60 && minutes % (24 * 60) === 0) return t('days', { n: minutes / (24 * 60) });
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? t('hours', { n: h }) : t('hoursMinutes', { h, m });
}

export function bytes(value: string | number): string {
  const n = Number(value);
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  return `${Math.round(n / 1e3)} KB`;
}

/** RouterOS rate limits ("5M", "512k") as people say them. */
export function speed(rate: string): string {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(rate.trim());
  if (!m) return rate;
  const unit = { '': 'bit/s', k: 'kbit/s', m: 'Mbit/s', g: 'Gbit/s' }[m[2].toLowerCase()];
  return `${m[1]} ${unit}`;
}
