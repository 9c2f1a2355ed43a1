// Admin API: a router's RouterOS side (/api/v1/admin/routers/status, /routers/:id/status, /sync,
// /api, /script): health read over the RouterOS API, the live-users reconciliation, the API login
// (the password goes in, never out) and the generated setup script.
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';

const Instant = Type.String({ format: 'date-time' });

export const RouterState = Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('unknown')]);
export type RouterState = Static<typeof RouterState>;

/** What the last reconciliation found and did (counts). */
export const LastSync = Type.Object({
  onRouter: Type.Integer(),
  openInNetflow: Type.Integer(),
  closed: Type.Integer(),
  removed: Type.Integer(),
});

export const RouterStatus = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  ip: Type.String(),
  /** The API login as user@host:port (" (tls)" with API-SSL); null: no credentials. Never the password. */
  api: Nullable(Type.String()),
  /** Whether the last API check got an answer; null: no API credentials (RADIUS alone tells). */
  reachable: Nullable(Type.Boolean()),
  checkedAt: Nullable(Instant),
  /** The last API check's error. */
  error: Nullable(Type.String()),
  identity: Nullable(Type.String()),
  version: Nullable(Type.String()),
  uptime: Nullable(Type.String()),
  /** Percent. */
  cpuLoad: Nullable(Type.Integer()),
  /** Bytes as strings. */
  freeMemory: Nullable(Type.String()),
  totalMemory: Nullable(Type.String()),
  /** What on the router no longer matches the NetFlow script (empty: nothing). */
  drift: Type.Array(Type.String()),
  /** Last RADIUS packet from it. */
  lastRadiusAt: Nullable(Instant),
  lastApiAnswerAt: Nullable(Instant),
  /** An active router with no RADIUS packet and no API answer for 10 minutes (the alert.router_unseen rule). */
  unseen: Type.Boolean(),
  /** up: heard in the last 10 minutes; down: unseen; unknown: neither (just added, or disabled and silent). */
  state: RouterState,
  up: Type.Boolean(),
  lastSyncAt: Nullable(Instant),
  lastSync: Nullable(LastSync),
});
export type RouterStatus = Static<typeof RouterStatus>;

export const RouterStatusList = Type.Object({ routers: Type.Array(RouterStatus) });
export type RouterStatusList = Static<typeof RouterStatusList>;

/** POST /routers/:id/sync: what the reconciliation did. */
export const SyncResult = Type.Object({
  router: Type.String(),
  checkedAt: Instant,
  onRouter: Type.Integer(),
  openInNetflow: Type.Integer(),
  /** NetFlow sessions closed: the router no longer had them. */
  closed: Type.Array(Type.Object({ sessionId: Type.String(), user: Type.String(), mac: Nullable(Type.String()), stoppedAt: Instant })),
  /** Hotspot users removed from the router: NetFlow did not authorize them. */
  removed: Type.Array(
    Type.Object({
      user: Type.String(),
      mac: Nullable(Type.String()),
      address: Nullable(Type.String()),
      reason: Type.Union([Type.Literal('not-radius'), Type.Literal('unknown-user'), Type.Literal('expired'), Type.Literal('revoked')]),
    }),
  ),
});
export type SyncResult = Static<typeof SyncResult>;

export const RouterApiBody = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 256 }),
    /** Default 8728, or 8729 with tls. */
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    /** API-SSL. */
    tls: Type.Optional(Type.Boolean()),
    /** Default: the router's RADIUS address. */
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    /** A PEM CA file on the NetFlow server, for a router's self-signed API-SSL certificate (tls only). */
    caFile: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  },
  { additionalProperties: false },
);
export type RouterApiBody = Static<typeof RouterApiBody>;

/** PUT/DELETE /routers/:id/api. `api`: the login as user@host:port, null once removed. */
export const RouterApiSet = Type.Object({ router: Type.String(), api: Nullable(Type.String()) });
export type RouterApiSet = Static<typeof RouterApiSet>;

export const RouterApiRemoved = Type.Object({ router: Type.String(), removed: Type.Boolean() });
export type RouterApiRemoved = Static<typeof RouterApiRemoved>;

export const ScriptQuery = Type.Object(
  {
    /** Where guests' phones open the portal; default PUBLIC_URL/portal/. */
    portalUrl: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    /** The IPv4 address the router sends RADIUS to; default the portal host, when that is one. */
    netflowAddress: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type ScriptQuery = Static<typeof ScriptQuery>;
