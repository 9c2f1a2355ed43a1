// The rows the dashboard shows, as the admin API sends them (JSON: dates as ISO strings, big
// counters as numbers or strings). Only the fields the views read.
import type { Role } from './api.js';

export interface RouterRow {
  id: number;
  name: string;
  ip: string;
  location: string | null;
  status: string;
  secretMasked: string;
  coaPort: number;
  lastSeenAt: string | null;
  openSessions?: number;
  /** From GET /routers/status (the RouterOS API check, or RADIUS alone), joined in by the views. */
  health?: RouterStatus | null;
}

export interface RouterStatus {
  id: number;
  name: string;
  api: string | null;
  reachable: boolean | null;
  checkedAt: string | null;
  error: string | null;
  drift: string[];
  unseen: boolean;
  /** up: heard in the last 10 minutes; down: silent for 10 minutes; unknown: never heard yet. */
  state?: 'up' | 'down' | 'unknown';
  up: boolean;
}

export interface PackageRow {
  id: number;
  name: string;
  minutes: number;
  price: string;
  currency: string;
  priceMinor: string;
  rateLimit: string;
  dataCapBytes: string | null;
  devices: number;
  active: boolean;
}

export interface SessionRow {
  id: string | number;
  router: string;
  code: string | null;
  userName: string;
  mac: string | null;
  framedIp: string | null;
  status: string;
  startedAt: string;
  stoppedAt: string | null;
  sessionTime: number;
  bytesUp: string;
  bytesDown: string;
  terminateCause: string | null;
}

export interface PaymentRow {
  id: string;
  reference: string;
  createdAt: string;
  paidAt: string | null;
  package: string;
  amount: string;
  provider: string;
  phone: string;
  status: string;
  failureReason: string | null;
  needsReview: boolean;
  testMoney: boolean;
  reviewedAt: string | null;
  reviewedBy: string | null;
  reviewNote: string | null;
}

export interface BatchRow {
  id: number;
  package: string;
  count: number;
  prefix: string;
  validUntil: string | null;
  createdBy: string | null;
  createdAt: string;
  unused: number;
  inUse: number;
  expired: number;
  revoked: number;
}

export interface AdminRow {
  id: number;
  email: string;
  role: Role;
  createdAt: string;
  disabled: boolean;
}

export interface AuditRow {
  id: string;
  at: string;
  actor: string;
  action: string;
  subject: string | null;
  details: unknown;
}
