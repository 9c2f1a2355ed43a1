// Operator settings kept in the settings table: the portal's branding (key portal.branding, read
// by the portal per request, so a change shows at once) and the RADIUS reply settings
// (radius.*, reloaded by every instance on a NOTIFY from the settings table). One validation and
// one audit path for them.
import type { Prisma, PrismaClient } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';
import { isHexColour, isPortalLogoUrl, isSupportPhone } from '../core/branding.js';
import { invalid } from '../core/errors.js';
import { text, wholeNumber } from '../core/validate.js';

export const PORTAL_BRANDING_KEY = 'portal.branding';

export interface PortalBranding {
  name: string;
  logoUrl?: string;
  primaryColor?: string;
  accentColor?: string;
  supportPhone?: string;
}

export const DEFAULT_PORTAL_BRANDING: PortalBranding = { name: 'Wi-Fi' };

/** The RADIUS settings' keys in the settings table (src/app/settings.ts reads them). */
export const RADIUS_SETTING_KEYS = {
  interimIntervalSeconds: 'radius.interim_interval_seconds',
  holdSeconds: 'radius.login_hold_seconds',
} as const;

export interface RadiusSettingsInput {
  interimIntervalSeconds?: number;
  holdSeconds?: number;
}

export function checkPortalBranding(input: PortalBranding): PortalBranding {
  const out: PortalBranding = { name: text('name', input.name, 64) };
  if (input.logoUrl !== undefined && input.logoUrl !== '') {
    const url = input.logoUrl.trim();
    if (!isPortalLogoUrl(url)) {
      throw invalid('logoUrl', 'must be a path on this server (/portal/logo.png) or a data:image/…;base64 URL of at most 200 kB');
    }
    out.logoUrl = url;
  }
  for (const field of ['primaryColor', 'accentColor'] as const) {
    const v = input[field];
    if (v === undefined || v === '') continue;
    if (!isHexColour(v.trim())) throw invalid(field, `must be a colour as #rrggbb, got "${v}"`);
    out[field] = v.trim().toLowerCase();
  }
  if (input.supportPhone !== undefined && input.supportPhone !== '') {
    const phone = input.supportPhone.trim();
    if (!isSupportPhone(phone)) throw invalid('supportPhone', 'must be a phone number such as +255 754 000 111');
    out.supportPhone = phone;
  }
  return out;
}

export function checkRadiusSettings(input: RadiusSettingsInput) {
  return {
    ...(input.interimIntervalSeconds === undefined
      ? {}
      : // RFC 2869: at least 60; a day at most (longer hides sessions that died).
        { interimIntervalSeconds: wholeNumber('interimIntervalSeconds', input.interimIntervalSeconds, 60, 86_400) }),
    ...(input.holdSeconds === undefined ? {} : { holdSeconds: wholeNumber('holdSeconds', input.holdSeconds, 10, 3600) }),
  };
}

export interface SettingsView {
  portalBranding: PortalBranding;
  radius: { interimIntervalSeconds: number; holdSeconds: number };
}

const RADIUS_DEFAULTS = { interimIntervalSeconds: 300, holdSeconds: 120 };

export async function readSettings(prisma: PrismaClient | Prisma.TransactionClient): Promise<SettingsView> {
  const rows = await prisma.setting.findMany({ where: { key: { in: [PORTAL_BRANDING_KEY, ...Object.values(RADIUS_SETTING_KEYS)] } } });
  const value = (key: string) => rows.find((r) => r.key === key)?.value;
  const branding = value(PORTAL_BRANDING_KEY);
  const radius = { ...RADIUS_DEFAULTS };
  for (const [field, key] of Object.entries(RADIUS_SETTING_KEYS) as Array<[keyof typeof RADIUS_DEFAULTS, string]>) {
    const v = value(key);
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) radius[field] = v;
  }
  return {
    portalBranding: branding && typeof branding === 'object' ? (branding as unknown as PortalBranding) : DEFAULT_PORTAL_BRANDING,
    radius,
  };
}

/** Changes the settings given (branding replaced as a whole), audited with before and after. */
export async function changeSettings(
  prisma: PrismaClient,
  input: { portalBranding?: PortalBranding; radius?: RadiusSettingsInput },
  actor: string,
): Promise<SettingsView> {
  const branding = input.portalBranding === undefined ? undefined : checkPortalBranding(input.portalBranding);
  const radius = input.radius === undefined ? {} : checkRadiusSettings(input.radius);
  return prisma.$transaction(async (tx) => {
    const before = await readSettings(tx);
    const writes: Array<[string, Prisma.InputJsonValue]> = [];
    if (branding) writes.push([PORTAL_BRANDING_KEY, branding as unknown as Prisma.InputJsonObject]);
    for (const [field, v] of Object.entries(radius)) writes.push([RADIUS_SETTING_KEYS[field as keyof typeof RADIUS_SETTING_KEYS], v]);
    for (const [key, value] of writes) await tx.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
    const after = await readSettings(tx);
    await recordAudit(tx, {
      actor,
      action: 'settings.change',
      subject: writes.map(([k]) => k).join(', '),
      details: { before: before as unknown as Prisma.InputJsonObject, after: after as unknown as Prisma.InputJsonObject },
    });
    return after;
  });
}
