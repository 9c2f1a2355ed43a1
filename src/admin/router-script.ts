// A router's generated RouterOS script (src/routers/hotspot-script.ts) as `netflow router script`
// and GET /api/v1/admin/routers/:id/script both hand it out: where the portal is (asked for, else
// PUBLIC_URL/portal/), which address the router sends RADIUS to (asked for, else the portal host
// when that is an IPv4 address), and the script itself. It holds the router's RADIUS secret.
import { isIP } from 'node:net';
import type { PrismaClient } from '../db/generated/client.js';
import { recordAudit } from '../audit/audit.js';
import { InputError } from '../core/errors.js';
import { loadHotspotPages } from '../routers/hotspot-pages.js';
import { checkPortalUrl, hotspotScript, type GuestPaymentHosts } from '../routers/hotspot-script.js';

/** What the script needs from NetFlow's configuration. */
export interface ScriptSettings {
  publicUrl: string | undefined;
  radiusAuthPort: number;
  radiusAcctPort: number;
  paymentHosts: readonly GuestPaymentHosts[];
}

/** How the caller spells the two choices, so the errors name what the person can actually give. */
export interface ScriptOptionNames {
  portalUrl: string;
  netflowAddress: string;
}

export interface ScriptTarget {
  portalUrl: string;
  netflowAddress: string;
}

/** The portal URL and NetFlow address a script is made for, or an InputError saying what to give. */
export function scriptTarget(
  settings: ScriptSettings,
  asked: { portalUrl?: string; netflowAddress?: string },
  names: ScriptOptionNames,
): ScriptTarget {
  const portalRaw = asked.portalUrl ?? (settings.publicUrl ? `${settings.publicUrl.replace(/\/+$/, '')}/portal/` : undefined);
  if (portalRaw === undefined) {
    throw new InputError(
      `give ${names.portalUrl} https://…/portal/ (or set PUBLIC_URL): where guests' phones open NetFlow's portal`,
      'portalUrl',
    );
  }
  const portal = checkPortalUrl(portalRaw);
  const host = portal.hostname.replace(/^\[|\]$/g, '');
  const netflowAddress = asked.netflowAddress ?? (isIP(host) === 4 ? host : undefined);
  if (netflowAddress === undefined) {
    throw new InputError(
      `give ${names.netflowAddress}: the IPv4 address the router sends RADIUS to (the portal host ${host} is not one)`,
      'netflowAddress',
    );
  }
  if (isIP(netflowAddress) !== 4) {
    throw new InputError(`${names.netflowAddress} must be an IPv4 address, got "${netflowAddress}"`, 'netflowAddress');
  }
  for (const [variable, port] of [
    ['RADIUS_AUTH_PORT', settings.radiusAuthPort],
    ['RADIUS_ACCT_PORT', settings.radiusAcctPort],
  ] as const) {
    if (port === 0) throw new InputError(`${variable} is 0 (any free port): a router needs NetFlow's fixed port`);
  }
  return { portalUrl: portal.href, netflowAddress };
}

export interface RouterScript extends ScriptTarget {
  router: string;
  script: string;
}

/**
 * The script for one router. With `downloadedBy`, the hand-out is audited
 * (router.script_downloaded: who, for which router and addresses; never the script or secret).
 */
export async function routerScript(
  prisma: PrismaClient,
  name: string,
  target: ScriptTarget,
  settings: ScriptSettings,
  options: { downloadedBy?: string; now?: Date } = {},
): Promise<RouterScript> {
  const router = await prisma.router.findUnique({ where: { name } });
  if (!router) throw new InputError(`no router named "${name}" (see: netflow router list)`, 'name');
  const script = hotspotScript({
    router,
    netflowAddress: target.netflowAddress,
    portalUrl: target.portalUrl,
    radiusAuthPort: settings.radiusAuthPort,
    radiusAcctPort: settings.radiusAcctPort,
    pages: await loadHotspotPages(),
    paymentHosts: settings.paymentHosts,
    generatedAt: options.now ?? new Date(),
  });
  if (options.downloadedBy) {
    await recordAudit(prisma, {
      actor: options.downloadedBy,
      action: 'router.script_downloaded',
      subject: router.name,
      details: { routerId: router.id, portalUrl: target.portalUrl, netflowAddress: target.netflowAddress },
    });
  }
  return { router: router.name, ...target, script };
}
