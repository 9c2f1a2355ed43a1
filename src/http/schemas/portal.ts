// The captive portal API (/api/v1/portal): requests and answers. The coming web/ client imports
// the types (`import type { PackagesResponse } from '.../src/http/schemas/portal.js'`); the server
// validates requests and serializes answers with the schemas, so the two cannot drift apart.
// Answers list every field they carry: Fastify's serializer drops properties a schema omits.
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';

// --- requests ----------------------------------------------------------------------------------

export const RouterQuery = Type.Object({ router: Type.String({ minLength: 1, maxLength: 64 }) });
export type RouterQuery = Static<typeof RouterQuery>;

export const PhoneQuery = Type.Object({ phone: Type.String({ minLength: 1, maxLength: 32 }) });
export type PhoneQuery = Static<typeof PhoneQuery>;

export const PurchaseBody = Type.Object(
  {
    packageId: Type.Integer({ minimum: 1, maximum: 2147483647 }),
    phone: Type.String({ minLength: 1, maxLength: 32 }),
    provider: Type.Optional(Type.String({ maxLength: 32 })),
    network: Type.Optional(Type.String({ maxLength: 32 })),
    mac: Type.Optional(Type.String({ maxLength: 32 })),
    ip: Type.Optional(Type.String({ maxLength: 45 })),
    router: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type PurchaseBody = Static<typeof PurchaseBody>;

export const PurchaseParams = Type.Object({ id: Type.String() });
export type PurchaseParams = Static<typeof PurchaseParams>;

/** The purchase token may also come as X-Purchase-Token or the netflow_purchase cookie. */
export const PurchaseQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 256 })) });
export type PurchaseQuery = Static<typeof PurchaseQuery>;

export const RecoverBody = Type.Object(
  {
    phone: Type.String({ minLength: 1, maxLength: 32 }),
    receipt: Type.String({ minLength: 1, maxLength: 64 }),
    router: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type RecoverBody = Static<typeof RecoverBody>;

export const RedeemBody = Type.Object(
  {
    code: Type.String({ minLength: 1, maxLength: 64 }),
    mac: Type.Optional(Type.String({ maxLength: 32 })),
    ip: Type.Optional(Type.String({ maxLength: 45 })),
    router: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type RedeemBody = Static<typeof RedeemBody>;

// --- answers -----------------------------------------------------------------------------------

export const PortalPackage = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  minutes: Type.Integer(),
  /** Minor units (cents) as a decimal string: amounts are bigints. */
  priceMinor: Type.String(),
  currency: Type.String(),
  rateLimit: Type.Object({ up: Type.String(), down: Type.String() }),
  dataCapBytes: Nullable(Type.String()),
  devices: Type.Integer(),
});
export type PortalPackage = Static<typeof PortalPackage>;

export const PortalProvider = Type.Object({
  id: Type.String(),
  name: Type.String(),
  networks: Type.Array(Type.String()),
  currencies: Type.Array(Type.String()),
  /** A local fake: no real money moves. */
  testMoney: Type.Boolean(),
});
export type PortalProvider = Static<typeof PortalProvider>;

export const PackagesResponse = Type.Object({
  router: Type.Object({ name: Type.String(), location: Nullable(Type.String()) }),
  packages: Type.Array(PortalPackage),
  payment: Type.Object({ testMoney: Type.Boolean(), providers: Type.Array(PortalProvider) }),
});
export type PackagesResponse = Static<typeof PackagesResponse>;

export const PhoneResponse = Type.Object({
  e164: Type.String(),
  country: Type.String(),
  network: Nullable(Type.String()),
  /** The provider the portal should pre-select (a suggestion: numbers are portable). */
  provider: Nullable(Type.String()),
});
export type PhoneResponse = Static<typeof PhoneResponse>;

/** A purchase as the browser that made it (or the payer, by receipt + phone) sees it. */
export const PurchaseView = Type.Object({
  id: Type.String(),
  /** pending | paid | failed | expired … (PaymentStatus). */
  status: Type.String(),
  package: Type.Object({ id: Type.Integer(), name: Type.String(), minutes: Type.Integer() }),
  amountMinor: Type.String(),
  currency: Type.String(),
  provider: Type.String(),
  network: Type.String(),
  /** Masked: 2557••••0111. */
  phone: Type.String(),
  testMoney: Type.Boolean(),
  createdAt: Type.String(),
  message: Type.String(),
  failureReason: Nullable(Type.String()),
  receipt: Nullable(Type.String()),
  /** Once paid: what the portal logs the device in with. */
  access: Nullable(Type.Object({ code: Type.String(), password: Type.String(), expiresAt: Nullable(Type.String()) })),
  /** Only in the answer that created the purchase (also set as the netflow_purchase cookie). */
  token: Type.Optional(Type.String()),
});
export type PurchaseView = Static<typeof PurchaseView>;

/** A purchase as anyone who knows its id sees it: how it is going, nothing to log in with. */
export const PurchaseStatusView = Type.Object(
  {
    id: Type.String(),
    status: Type.String(),
    message: Type.String(),
    failureReason: Nullable(Type.String()),
    testMoney: Type.Boolean(),
    access: Type.Null(),
    receipt: Type.Null(),
  },
  // Closed, so that a full PurchaseView never matches it (and loses its fields) when serialized.
  { additionalProperties: false },
);
export type PurchaseStatusView = Static<typeof PurchaseStatusView>;

/** GET /purchases/:id: the full view with the purchase token, the status view without it. */
export const PurchaseAnyView = Type.Union([PurchaseView, PurchaseStatusView]);
export type PurchaseAnyView = Static<typeof PurchaseAnyView>;

export const RedeemResponse = Type.Object({
  ok: Type.Literal(true),
  code: Type.String(),
  password: Type.String(),
  package: Type.Object({ name: Type.String(), minutes: Type.Integer() }),
  expiresAt: Nullable(Type.String()),
});
export type RedeemResponse = Static<typeof RedeemResponse>;

// --- returning guests and branding -------------------------------------------------------------

export const StatusBody = Type.Object(
  {
    router: Type.String({ minLength: 1, maxLength: 64 }),
    mac: Type.Optional(Type.String({ maxLength: 32 })),
    ip: Type.Optional(Type.String({ maxLength: 45 })),
    /** Codes this browser holds (bought or redeemed here before). */
    codes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 5 })),
  },
  { additionalProperties: false },
);
export type StatusBody = Static<typeof StatusBody>;

export const GuestTimeView = Type.Object({
  /** Only for a code the request presented; null for what was found by the device. */
  code: Nullable(Type.String()),
  package: Type.String(),
  /** netflow_code_state: running, not_started, expired, data_exhausted, revoked, not_redeemed_in_time. */
  state: Type.String(),
  usable: Type.Boolean(),
  secondsLeft: Nullable(Type.Integer()),
  /** Decimal string; null: no data cap. */
  bytesLeft: Nullable(Type.String()),
  expiresAt: Nullable(Type.String()),
});
export type GuestTimeView = Static<typeof GuestTimeView>;

export const StatusResponse = Type.Object({
  entitlements: Type.Array(GuestTimeView),
  /** Whether the device (MAC) was looked up: only when the request came from the router or the guest's own address. */
  deviceChecked: Type.Boolean(),
});
export type StatusResponse = Static<typeof StatusResponse>;

export const BrandingResponse = Type.Object({
  name: Type.String(),
  /** Same-origin path or data: image (the page's CSP allows nothing else). */
  logoUrl: Nullable(Type.String()),
  primaryColor: Nullable(Type.String()),
  accentColor: Nullable(Type.String()),
  supportPhone: Nullable(Type.String()),
});
export type BrandingResponse = Static<typeof BrandingResponse>;
