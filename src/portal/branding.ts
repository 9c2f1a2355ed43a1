// The operator's branding of the captive portal: settings key `portal.branding`
// ({ name, logoUrl?, primaryColor?, accentColor?, supportPhone? }, written by the dashboard or the
// admin API). Read for the public portal route, so only what is safe to show a guest gets out:
// a logo from NetFlow's own origin (a path) or a data: image (the page's CSP allows nothing else),
// colours as #rrggbb, a phone number of phone characters. Anything else is dropped, not passed on.
import { isHexColour, isPortalLogoUrl, isSupportPhone } from '../core/branding.js';
import type { PrismaClient } from '../db/generated/client.js';

export const BRANDING_KEY = 'portal.branding';

export interface PortalBranding {
  name: string;
  logoUrl: string | null;
  primaryColor: string | null;
  accentColor: string | null;
  supportPhone: string | null;
}

export const DEFAULT_BRANDING: PortalBranding = { name: 'Wi-Fi', logoUrl: null, primaryColor: null, accentColor: null, supportPhone: null };

function str(v: unknown): string | null {
  return typeof v === 'string' ? v.trim() : null;
}

/** What of a stored value may be shown: unknown keys and unsafe values are dropped. */
export function sanitizeBranding(value: unknown): PortalBranding {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const name = str(v.name);
  const logo = str(v.logoUrl);
  const colour = (c: unknown) => {
    const s = str(c);
    return s && isHexColour(s) ? s.toLowerCase() : null;
  };
  const phone = str(v.supportPhone);
  return {
    name: name && name.length <= 64 && !/[\u0000-\u001f\u007f]/.test(name) ? name : DEFAULT_BRANDING.name,
    logoUrl: logo && isPortalLogoUrl(logo) ? logo : null,
    primaryColor: colour(v.primaryColor),
    accentColor: colour(v.accentColor),
    supportPhone: phone && isSupportPhone(phone) ? phone : null,
  };
}

export async function readBranding(prisma: Pick<PrismaClient, 'setting'>): Promise<PortalBranding> {
  const row = await prisma.setting.findUnique({ where: { key: BRANDING_KEY } });
  return sanitizeBranding(row?.value ?? null);
}
