// Health and metrics, for operators and monitoring.
import { Type, type Static } from 'typebox';

export const HealthOk = Type.Object({ status: Type.Literal('ok'), uptimeSeconds: Type.Integer() });
export type HealthOk = Static<typeof HealthOk>;

export const HealthUnavailable = Type.Object({ status: Type.Literal('unavailable'), reason: Type.String() });
export type HealthUnavailable = Static<typeof HealthUnavailable>;

/** Prometheus text exposition (version 0.0.4): `netflow_<name> <value>` per line. */
export const MetricsText = Type.String();
