// "Do I still have time?" for the captive portal: time and data left on the codes a guest's browser
// holds, and on what this device (its MAC) already has at this router.
//
// What proves what, so that no guest learns about another:
// - a code: knowing it is the credential itself (it logs in). The browser keeps the codes it bought
//   or redeemed; presenting one shows its time and data left. Guessing codes is what the route's
//   rate limit (per router and source address) caps, as for voucher redemption.
// - a MAC: anyone can type one, so a MAC alone proves nothing. It is honoured only when the request
//   comes from where that guest's requests come from: the router's own registered address (guests
//   behind its NAT) or the `ip` the hotspot gave (NetFlow on the hotspot network, no NAT). Even then
//   the answer carries no code: a neighbour on the same hotspot who knows a MAC (MACs are visible on
//   the LAN) learns at most that it has time left, never how to use it.
import type { PrismaClient } from '../db/generated/client.js';
import { codeStates, type CodeState, isUsable } from '../entitlements/state.js';
import { normaliseCode } from './vouchers.js';

export interface GuestTime {
  /** The code, only when the request presented it; null for what was found by the device. */
  code: string | null;
  package: string;
  state: CodeState;
  usable: boolean;
  /** Whole seconds left; before a first-login clock starts, the package's full time. null: no limit known. */
  secondsLeft: number | null;
  /** Bytes left of a data cap (decimal string); null: no cap. */
  bytesLeft: string | null;
  expiresAt: string | null;
}

export interface GuestStatusInput {
  routerId: number;
  codes: readonly string[];
  /** The device's MAC, only when its proof held (see above); null otherwise. */
  mac: string | null;
  now?: Date;
}

export const MAX_STATUS_CODES = 5;

export async function guestStatus(prisma: PrismaClient, input: GuestStatusInput): Promise<GuestTime[]> {
  const now = input.now ?? new Date();
  const codes = [...new Set(input.codes.map(normaliseCode).filter((c) => /^[A-Z0-9]{4,32}$/.test(c)))].slice(0, MAX_STATUS_CODES);
  const hereOrAnywhere = { OR: [{ routerId: null }, { routerId: input.routerId }] };
  const byCode = codes.length
    ? await prisma.entitlement.findMany({ where: { code: { in: codes }, ...hereOrAnywhere }, include: { package: true } })
    : [];
  const byDevice = input.mac
    ? await prisma.entitlement.findMany({
        where: {
          devices: { some: { mac: input.mac, routerId: input.routerId } },
          status: 'active',
          ...hereOrAnywhere,
          id: { notIn: byCode.map((e) => e.id) },
        },
        include: { package: true },
        orderBy: { id: 'desc' },
        take: 5,
      })
    : [];
  const states = await codeStates(
    prisma,
    [...byCode, ...byDevice].map((e) => e.id),
    now,
  );
  const view = (e: (typeof byCode)[number], shown: boolean): GuestTime => {
    const state = states.get(e.id)!;
    const secondsLeft = e.expiresAt
      ? Math.max(0, Math.floor((e.expiresAt.getTime() - now.getTime()) / 1000))
      : state === 'not_started'
        ? e.package.minutes * 60
        : null;
    const cap = e.package.dataCapBytes;
    const used = e.bytesUp + e.bytesDown;
    return {
      code: shown ? e.code : null,
      package: e.package.name,
      state,
      usable: isUsable(state),
      secondsLeft: isUsable(state) ? secondsLeft : 0,
      bytesLeft: cap === null ? null : String(cap > used ? cap - used : 0n),
      expiresAt: e.expiresAt?.toISOString() ?? null,
    };
  };
  return [
    ...byCode.map((e) => view(e, true)),
    // By device: only what is still usable (a device's history is nobody's business).
    ...byDevice.map((e) => view(e, false)).filter((t) => t.usable),
  ];
}
