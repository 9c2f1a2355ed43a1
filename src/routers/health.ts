// What a router says about itself over the API (identity, version, uptime, load, memory) and
// whether its RADIUS setup still matches what NetFlow's generated script (routeros-scripts/) set:
// a /radius entry for the hotspot (comment "NetFlow"), /radius incoming accepting Disconnect/CoA on
// the router's CoA port, and RADIUS login + accounting on the hotspot profiles in use.
import type { ApiRow, ApiSession } from './routeros-client.js';

export interface ExpectedSetup {
  /** /radius incoming port NetFlow sends Disconnect/CoA to (the router's coa_port). */
  coaPort: number;
  /** NetFlow's RADIUS ports, when fixed (0: chosen at start, not checked). */
  authPort: number;
  acctPort: number;
}

export interface HealthReading {
  identity: string | null;
  version: string | null;
  uptime: string | null;
  cpuLoad: number | null;
  freeMemory: bigint | null;
  totalMemory: bigint | null;
  /** One line per setting that differs from the script's (empty: none). */
  drift: string[];
}

const yes = (v: string | undefined) => v === 'true' || v === 'yes';
const num = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : null);
const big = (v: string | undefined) => (v !== undefined && /^\d+$/.test(v) ? BigInt(v) : null);

export const NETFLOW_COMMENT = 'NetFlow';

export function driftOf(
  radius: ApiRow[],
  incoming: ApiRow | undefined,
  hotspots: ApiRow[],
  profiles: ApiRow[],
  expected: ExpectedSetup,
): string[] {
  const drift: string[] = [];
  const forHotspot = radius.filter((r) => (r.service ?? '').split(',').includes('hotspot'));
  const entry = radius.find((r) => r.comment === NETFLOW_COMMENT) ?? forHotspot[0];
  if (!entry) drift.push(`/radius: no entry for the hotspot (the script adds one with comment="${NETFLOW_COMMENT}")`);
  else {
    const name = `/radius ${entry.comment === NETFLOW_COMMENT ? `comment=${NETFLOW_COMMENT}` : (entry['.id'] ?? '')}`.trim();
    if (!(entry.service ?? '').split(',').includes('hotspot'))
      drift.push(`${name}: service=${entry.service ?? ''} (the script sets hotspot)`);
    if (yes(entry.disabled)) drift.push(`${name}: disabled`);
    if (expected.authPort && entry['authentication-port'] && Number(entry['authentication-port']) !== expected.authPort)
      drift.push(`${name}: authentication-port=${entry['authentication-port']} (NetFlow listens on ${expected.authPort})`);
    if (expected.acctPort && entry['accounting-port'] && Number(entry['accounting-port']) !== expected.acctPort)
      drift.push(`${name}: accounting-port=${entry['accounting-port']} (NetFlow listens on ${expected.acctPort})`);
  }
  if (!incoming) drift.push('/radius incoming: not readable');
  else {
    if (!yes(incoming.accept))
      drift.push(`/radius incoming: accept=${incoming.accept ?? 'no'} (the script sets yes: Disconnect/CoA are refused)`);
    if (num(incoming.port) !== expected.coaPort)
      drift.push(`/radius incoming: port=${incoming.port ?? '?'} (NetFlow sends Disconnect/CoA to ${expected.coaPort})`);
  }
  // The profiles the hotspot servers use; all of them when no server names one.
  const used = new Set(hotspots.map((h) => h.profile).filter(Boolean));
  const checked = used.size > 0 ? profiles.filter((p) => used.has(p.name)) : profiles;
  for (const name of used) if (!profiles.some((p) => p.name === name)) drift.push(`/ip hotspot profile ${name}: missing`);
  for (const p of checked) {
    if (!yes(p['use-radius'])) drift.push(`/ip hotspot profile ${p.name}: use-radius=${p['use-radius'] ?? 'no'} (the script sets yes)`);
    if (!yes(p['radius-accounting']))
      drift.push(`/ip hotspot profile ${p.name}: radius-accounting=${p['radius-accounting'] ?? 'no'} (the script sets yes)`);
  }
  return drift;
}

export async function readHealth(api: ApiSession, expected: ExpectedSetup): Promise<HealthReading> {
  const [identity] = await api.run('/system/identity/print');
  const [resource] = await api.run('/system/resource/print');
  const radius = await api.run('/radius/print');
  const [incoming] = await api.run('/radius/incoming/print');
  const hotspots = await api.run('/ip/hotspot/print', ['=.proplist=name,profile']);
  const profiles = await api.run('/ip/hotspot/profile/print');
  return {
    identity: identity?.name ?? null,
    version: resource?.version ?? null,
    uptime: resource?.uptime ?? null,
    cpuLoad: num(resource?.['cpu-load']),
    freeMemory: big(resource?.['free-memory']),
    totalMemory: big(resource?.['total-memory']),
    drift: driftOf(radius, incoming, hotspots, profiles, expected),
  };
}
