// Admin API: hotspot sessions (/api/v1/admin/sessions) and their live event stream.
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';
import { NextBefore, PageQuery } from './admin.js';

const Instant = Type.String({ format: 'date-time' });

export const SessionStatus = Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('stale')]);

export const SessionView = Type.Object({
  /** bigint as a string. */
  id: Type.String(),
  router: Type.String(),
  /** The voucher or purchase code it matched, if any. */
  code: Nullable(Type.String()),
  userName: Type.String(),
  mac: Nullable(Type.String()),
  framedIp: Nullable(Type.String()),
  status: SessionStatus,
  startedAt: Instant,
  updatedAt: Instant,
  stoppedAt: Nullable(Instant),
  sessionTime: Type.Integer(),
  /** Bytes as strings (they pass 2^53). */
  bytesUp: Type.String(),
  bytesDown: Type.String(),
  terminateCause: Nullable(Type.String()),
});
export type SessionView = Static<typeof SessionView>;

export const SessionQuery = Type.Object(
  {
    /** Router name. */
    router: Type.Optional(Type.String({ maxLength: 64 })),
    status: Type.Optional(SessionStatus),
    /** Part of the MAC, User-Name or code. */
    search: Type.Optional(Type.String({ maxLength: 64 })),
    /** Started at or after / before (ISO 8601). */
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    ...PageQuery,
  },
  { additionalProperties: false },
);
export type SessionQuery = Static<typeof SessionQuery>;

export const SessionPage = Type.Object({ sessions: Type.Array(SessionView), nextBefore: NextBefore });
export type SessionPage = Static<typeof SessionPage>;

export const SessionOne = Type.Object({ session: SessionView });
export type SessionOne = Static<typeof SessionOne>;

/** What an end or package change queued: Disconnect/CoA ids, and what the router answered so far. */
export const EnforcementAnswer = Type.Object({
  sessionId: Type.String(),
  actions: Type.Array(
    Type.Object({
      id: Type.String(),
      kind: Type.String(),
      /** pending (NetFlow keeps retrying), acked, nakked, obsolete, failed. */
      status: Type.String(),
      errorCause: Nullable(Type.Integer()),
      lastError: Nullable(Type.String()),
    }),
  ),
  package: Type.Optional(Type.String()),
  expiresAt: Type.Optional(Nullable(Instant)),
});
export type EnforcementAnswer = Static<typeof EnforcementAnswer>;

export const ChangePackageBody = Type.Object({ package: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export type ChangePackageBody = Static<typeof ChangePackageBody>;

/**
 * GET /sessions/events (text/event-stream). Events:
 *   event: sessions   data: {"kind":"open"|"close"|"update","ids":["12","13"]}   (ids null: reload)
 *   event: end        data: {"reason":"signed_out"}   then the stream closes (logout, expiry,
 *                     role change, disable)
 * plus a ": ping" comment every 15 s. Every NetFlow instance on the database sends the same events.
 */
export const SessionEvent = Type.Object({
  kind: Type.Union([Type.Literal('open'), Type.Literal('close'), Type.Literal('update')]),
  ids: Nullable(Type.Array(Type.String())),
});
export type SessionEvent = Static<typeof SessionEvent>;
