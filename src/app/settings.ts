// Operator settings that shape RADIUS replies, read from the settings table with defaults.
import type pg from 'pg';
import { RADIUS_SETTING_KEYS } from '../admin/settings.js';

export interface RadiusSettings {
  /** Acct-Interim-Interval sent in Access-Accept (RFC 2869: at least 60, advice: 600 or more). */
  interimIntervalSeconds: number;
  /** How long an accepted device holds its place until its Accounting-Start arrives. */
  holdSeconds: number;
}

export const DEFAULT_SETTINGS: RadiusSettings = { interimIntervalSeconds: 300, holdSeconds: 120 };

const KEYS: Record<keyof RadiusSettings, string> = RADIUS_SETTING_KEYS;

export async function loadRadiusSettings(pool: pg.Pool): Promise<RadiusSettings> {
  const { rows } = await pool.query<{ key: string; value: unknown }>('SELECT key, value FROM settings WHERE key = ANY($1)', [
    Object.values(KEYS),
  ]);
  const settings = { ...DEFAULT_SETTINGS };
  for (const [field, key] of Object.entries(KEYS) as [keyof RadiusSettings, string][]) {
    const value = rows.find((r) => r.key === key)?.value;
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) settings[field] = value;
  }
  return settings;
}

/** A device is online while the router keeps reporting: three interim intervals (plus slack). */
export function onlineSecondsFor(settings: RadiusSettings): number {
  return settings.interimIntervalSeconds * 3 + 30;
}
