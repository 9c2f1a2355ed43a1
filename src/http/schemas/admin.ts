// The admin API (/api/v1/admin): sign-in, and what every admin route shares (ids, pages, errors).
// Resource shapes: admin-catalog.ts (routers, packages), admin-sessions.ts (sessions and their
// event stream), admin-money.ts (payments, vouchers), admin-accounts.ts (admins, settings, audit).
// The web/ dashboard imports the types: `import type { Me } from '…/src/http/schemas/admin.js'`.
// Answers list every field they carry: Fastify's serializer drops properties a schema omits.
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';

/** viewer < operator < admin; every admin route declares the least it needs (config.role). */
export const AdminRole = Type.Union([Type.Literal('admin'), Type.Literal('operator'), Type.Literal('viewer')]);
export type AdminRole = Static<typeof AdminRole>;

/**
 * An admin API error: `error` and `message` both carry the sentence to show (the rest of NetFlow's
 * HTTP faces use `error`); `reason` a word a script can test (unauthenticated, forbidden,
 * csrf, throttled, not_found, invalid, conflict), `field` the input it is about.
 */
export const AdminError = Type.Object(
  {
    error: Type.String(),
    message: Type.String(),
    reason: Type.Optional(Type.String()),
    field: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
export type AdminError = Static<typeof AdminError>;

export const adminErrorResponses = { '4xx': AdminError, '5xx': AdminError } as const;

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });
export type IdParams = Static<typeof IdParams>;

/** Session ids are bigint: strings of digits. */
export const BigIdParams = Type.Object({ id: Type.String({ pattern: '^[0-9]{1,18}$' }) });
export type BigIdParams = Static<typeof BigIdParams>;

export const Ok = Type.Object({ ok: Type.Literal(true) });
export type Ok = Static<typeof Ok>;

// --- sign-in -----------------------------------------------------------------------------------

export const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type LoginBody = Static<typeof LoginBody>;

export const AdminIdentity = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  role: AdminRole,
});
export type AdminIdentity = Static<typeof AdminIdentity>;

/**
 * Answer of POST /login and GET /me. The session itself travels in the httpOnly cookie
 * `netflow_admin` (path /api/v1/admin); `csrfToken` goes in the X-CSRF-Token header of every
 * request other than GET.
 */
export const Me = Type.Object({
  admin: AdminIdentity,
  csrfToken: Type.String(),
  /** ISO 8601: the session's absolute end (an idle session ends sooner). */
  expiresAt: Type.String({ format: 'date-time' }),
  /** Minutes without a request after which the session ends. */
  idleMinutes: Type.Integer(),
});
export type Me = Static<typeof Me>;

/** GET /setup: whether the first admin still has to be created (with the token from the log). */
export const SetupState = Type.Object({ needed: Type.Boolean() });
export type SetupState = Static<typeof SetupState>;

export const SetupBody = Type.Object(
  {
    token: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ minLength: 1, maxLength: 254 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type SetupBody = Static<typeof SetupBody>;

// --- paging ------------------------------------------------------------------------------------

/** Lists that can grow without bound page by id: newest first, `before` = the last id seen. */
export const PageQuery = {
  before: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
};

export const NextBefore = Nullable(Type.String());
