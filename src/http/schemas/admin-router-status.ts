// Admin API: GET /api/v1/admin/routers/status, each router's health as NetFlow last saw it
// (RouterOS API checks when credentials are set, else RADIUS alone), as `netflow router status`.
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';

const Instant = Type.String({ format: 'date-time' });

export const RouterStatusView = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  /** user@host:port of the RouterOS API login (never the password); null: RADIUS only. */
  api: Nullable(Type.String()),
  /** The last API check: true/false; null without API credentials. */
  reachable: Nullable(Type.Boolean()),
  checkedAt: Nullable(Instant),
  error: Nullable(Type.String()),
  identity: Nullable(Type.String()),
  version: Nullable(Type.String()),
  uptime: Nullable(Type.String()),
  /** What no longer matches NetFlow's generated configuration (empty: nothing). */
  drift: Type.Array(Type.String()),
  lastRadiusAt: Nullable(Instant),
  lastApiAnswerAt: Nullable(Instant),
  /** Active, and neither a RADIUS packet nor an API answer for 10 minutes. */
  unseen: Type.Boolean(),
  /** What the dashboard shows: reachable when the API is checked, else not unseen. */
  up: Type.Boolean(),
});
export type RouterStatusView = Static<typeof RouterStatusView>;

export const RouterStatusList = Type.Object({ routers: Type.Array(RouterStatusView) });
export type RouterStatusList = Static<typeof RouterStatusList>;
