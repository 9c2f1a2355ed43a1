// Admin API: admins (/api/v1/admin/admins), settings (/api/v1/admin/settings), the audit log
// (/api/v1/admin/audit) and security events (/api/v1/admin/security-events).
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';
import { AdminRole, NextBefore, PageQuery } from './admin.js';

const Instant = Type.String({ format: 'date-time' });

export const AdminView = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  role: AdminRole,
  createdAt: Instant,
  disabled: Type.Boolean(),
  disabledAt: Nullable(Instant),
});
export type AdminView = Static<typeof AdminView>;

export const AdminList = Type.Object({ admins: Type.Array(AdminView) });
export type AdminList = Static<typeof AdminList>;

export const AdminOne = Type.Object({ admin: AdminView });
export type AdminOne = Static<typeof AdminOne>;

export const AdminCreate = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    role: AdminRole,
  },
  { additionalProperties: false },
);
export type AdminCreate = Static<typeof AdminCreate>;

/** A role change or a disable ends the admin's sessions at once. */
export const AdminPatch = Type.Object(
  { role: Type.Optional(AdminRole), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
export type AdminPatch = Static<typeof AdminPatch>;

export const PasswordBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });
export type PasswordBody = Static<typeof PasswordBody>;

// --- settings ----------------------------------------------------------------------------------

/** Settings key portal.branding: shown by the portal from the next page load (no restart). */
export const PortalBranding = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    logoUrl: Type.Optional(Type.String({ maxLength: 200000 })),
    primaryColor: Type.Optional(Type.String({ maxLength: 7 })),
    accentColor: Type.Optional(Type.String({ maxLength: 7 })),
    supportPhone: Type.Optional(Type.String({ maxLength: 24 })),
  },
  { additionalProperties: false },
);
export type PortalBranding = Static<typeof PortalBranding>;

export const RadiusSettings = Type.Object({
  /** Acct-Interim-Interval sent in Access-Accept (60–86400 s). */
  interimIntervalSeconds: Type.Integer(),
  /** How long an accepted device holds its place before its Accounting-Start (10–3600 s). */
  holdSeconds: Type.Integer(),
});

export const SettingsView = Type.Object({
  portalBranding: PortalBranding,
  /** Applied without a restart: every instance reloads them on a NOTIFY from the settings table. */
  radius: RadiusSettings,
});
export type SettingsView = Static<typeof SettingsView>;

export const SettingsPatch = Type.Object(
  {
    portalBranding: Type.Optional(PortalBranding),
    radius: Type.Optional(Type.Partial(RadiusSettings, { additionalProperties: false })),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type SettingsPatch = Static<typeof SettingsPatch>;

// --- audit log ---------------------------------------------------------------------------------

export const AuditEntry = Type.Object({
  id: Type.String(),
  at: Instant,
  /** 'cli', an admin's email, or a NetFlow part: 'enforcer', 'payments', 'radius'. */
  actor: Type.String(),
  action: Type.String(),
  subject: Nullable(Type.String()),
  /** What changed: before/after for edits; never secrets. */
  details: Type.Unknown(),
});
export type AuditEntry = Static<typeof AuditEntry>;

export const AuditQuery = Type.Object(
  {
    actor: Type.Optional(Type.String({ maxLength: 254 })),
    /** Exact ("router.add") or a prefix ending in a dot ("security."). */
    action: Type.Optional(Type.String({ maxLength: 64 })),
    subject: Type.Optional(Type.String({ maxLength: 200 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuery>;

export const AuditPage = Type.Object({ entries: Type.Array(AuditEntry), nextBefore: NextBefore });
export type AuditPage = Static<typeof AuditPage>;

// --- overview ----------------------------------------------------------------------------------

export const MoneyTotal = Type.Object({
  currency: Type.String(),
  count: Type.Integer(),
  amountMinor: Type.String(),
  amount: Type.String(),
});

/** GET /overview: the dashboard's first screen. */
export const OverviewView = Type.Object({
  onlineNow: Type.Integer(),
  /** Paid mobile money today (calendar day in timeZone), per currency; vouchers: see the reports. */
  revenueToday: Type.Array(MoneyTotal),
  timeZone: Type.String(),
  paymentsNeedingReview: Type.Integer(),
  securityEventsLastDay: Type.Integer(),
});
export type OverviewView = Static<typeof OverviewView>;
