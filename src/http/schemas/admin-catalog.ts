// Admin API: routers and packages (/api/v1/admin/routers, /api/v1/admin/packages).
import { Type, type Static, type TSchema } from 'typebox';
import { Nullable } from './common.js';

const Instant = Type.String({ format: 'date-time' });

/**
 * A nullable request field: null first, because Fastify's validator coerces types and would
 * otherwise turn a null into "" (or 0) for the first branch.
 */
const OrNull = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

// --- routers -----------------------------------------------------------------------------------

export const RouterView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  ip: Type.String(),
  /** "ab…yz": never the secret itself (POST /routers and rotate-secret show it once). */
  secretMasked: Type.String(),
  location: Nullable(Type.String()),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  requireMessageAuthenticator: Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('auto')]),
  messageAuthenticatorRequired: Type.Boolean(),
  messageAuthenticatorSeenAt: Nullable(Instant),
  acceptsTestMoney: Type.Boolean(),
  coaPort: Type.Integer(),
  /** Last RADIUS packet from it (NetFlow's clock). */
  lastSeenAt: Nullable(Instant),
  /** Its sessions open now. */
  openSessions: Type.Integer(),
  createdAt: Instant,
});
export type RouterView = Static<typeof RouterView>;

export const RouterList = Type.Object({ routers: Type.Array(RouterView) });
export type RouterList = Static<typeof RouterList>;

export const RouterCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    ip: Type.String({ minLength: 1, maxLength: 64 }),
    /** Leave out for a random 32-character secret (shown once in the answer). */
    secret: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    location: Type.Optional(Type.String({ maxLength: 200 })),
    requireMessageAuthenticator: Type.Optional(Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('auto')])),
    acceptsTestMoney: Type.Optional(Type.Boolean()),
    coaPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
  },
  { additionalProperties: false },
);
export type RouterCreate = Static<typeof RouterCreate>;

/** A router with its secret: only in the answer that set it. */
export const RouterWithSecret = Type.Object({ router: RouterView, secret: Type.String() });
export type RouterWithSecret = Static<typeof RouterWithSecret>;

export const RouterPatch = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    ip: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    location: Type.Optional(OrNull(Type.String({ maxLength: 200 }))),
    requireMessageAuthenticator: Type.Optional(Type.Union([Type.Literal('yes'), Type.Literal('no'), Type.Literal('auto')])),
    acceptsTestMoney: Type.Optional(Type.Boolean()),
    coaPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    /** disabled: its packets are dropped (as from an unknown address); active again: served again. */
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type RouterPatch = Static<typeof RouterPatch>;

export const RouterChanged = Type.Object({ router: RouterView, revokedTestMoneyCodes: Type.Integer() });
export type RouterChanged = Static<typeof RouterChanged>;

export const RotateSecretBody = Type.Object(
  { secret: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })) },
  { additionalProperties: false },
);
export type RotateSecretBody = Static<typeof RotateSecretBody>;

// --- packages ----------------------------------------------------------------------------------

export const PackageView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  minutes: Type.Integer(),
  /** Integer minor units as a string ("100000" = 1000.00 TZS). */
  priceMinor: Type.String(),
  currency: Type.String(),
  /** For people: "1000.00 TZS". */
  price: Type.String(),
  rateLimit: Type.String(),
  /** Bytes as a string; null: no cap. */
  dataCapBytes: Nullable(Type.String()),
  devices: Type.Integer(),
  idleTimeoutSeconds: Nullable(Type.Integer()),
  clock: Type.Union([Type.Literal('purchase'), Type.Literal('first-login')]),
  active: Type.Boolean(),
  createdAt: Instant,
});
export type PackageView = Static<typeof PackageView>;

export const PackageList = Type.Object({ packages: Type.Array(PackageView) });
export type PackageList = Static<typeof PackageList>;

const packageFields = {
  name: Type.String({ minLength: 1, maxLength: 64 }),
  minutes: Type.Integer({ minimum: 1 }),
  /** A decimal amount in `currency`: "1000" or "2.50". */
  price: Type.String({ minLength: 1, maxLength: 32 }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  /** MikroTik UP/DOWN: "2M/5M". */
  rateLimit: Type.String({ minLength: 1, maxLength: 32 }),
};

export const PackageCreate = Type.Object(
  {
    ...packageFields,
    /** Decimal megabytes (1 MB = 1,000,000 bytes); leave out for no cap. */
    dataMb: Type.Optional(Type.String({ maxLength: 32 })),
    devices: Type.Optional(Type.Integer({ minimum: 1 })),
    idleTimeout: Type.Optional(Type.Integer({ minimum: 1 })),
    clock: Type.Optional(Type.Union([Type.Literal('purchase'), Type.Literal('first-login')])),
  },
  { additionalProperties: false },
);
export type PackageCreate = Static<typeof PackageCreate>;

export const PackagePatch = Type.Object(
  {
    name: Type.Optional(packageFields.name),
    minutes: Type.Optional(packageFields.minutes),
    price: Type.Optional(packageFields.price),
    currency: Type.Optional(packageFields.currency),
    rateLimit: Type.Optional(packageFields.rateLimit),
    dataMb: Type.Optional(OrNull(Type.String({ maxLength: 32 }))),
    devices: Type.Optional(Type.Integer({ minimum: 1 })),
    idleTimeout: Type.Optional(OrNull(Type.Integer({ minimum: 1 }))),
    clock: Type.Optional(Type.Union([Type.Literal('purchase'), Type.Literal('first-login')])),
    /** false: no longer sold (codes sold keep working). */
    active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type PackagePatch = Static<typeof PackagePatch>;

export const PackageOne = Type.Object({ package: PackageView });
export type PackageOne = Static<typeof PackageOne>;
