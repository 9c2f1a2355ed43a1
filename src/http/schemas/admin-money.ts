// Admin API: payments (/api/v1/admin/payments) and vouchers (/api/v1/admin/vouchers).
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';

const Instant = Type.String({ format: 'date-time' });

export const PaymentStatus = Type.Union([Type.Literal('pending'), Type.Literal('paid'), Type.Literal('failed'), Type.Literal('expired')]);

export const PaymentView = Type.Object({
  id: Type.String(),
  reference: Type.String(),
  createdAt: Instant,
  paidAt: Nullable(Instant),
  package: Type.String(),
  amountMinor: Type.String(),
  currency: Type.String(),
  amount: Type.String(),
  provider: Type.String(),
  /** Masked: 2557••••0111. */
  phone: Type.String(),
  status: PaymentStatus,
  failureReason: Nullable(Type.String()),
  receiptNumber: Nullable(Type.String()),
  needsReview: Type.Boolean(),
  testMoney: Type.Boolean(),
  reviewedAt: Nullable(Instant),
  reviewedBy: Nullable(Type.String()),
  reviewNote: Nullable(Type.String()),
});
export type PaymentView = Static<typeof PaymentView>;

export const PaymentQuery = Type.Object(
  {
    status: Type.Optional(PaymentStatus),
    provider: Type.Optional(Type.String({ maxLength: 32 })),
    needsReview: Type.Optional(Type.Boolean()),
    router: Type.Optional(Type.String({ maxLength: 64 })),
    /** Reference, receipt number, or the phone's last digits. */
    search: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100000 })),
  },
  { additionalProperties: false },
);
export type PaymentQuery = Static<typeof PaymentQuery>;

export const PaymentPage = Type.Object({ payments: Type.Array(PaymentView), total: Type.Integer() });
export type PaymentPage = Static<typeof PaymentPage>;

export const PaymentIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
export type PaymentIdParams = Static<typeof PaymentIdParams>;

export const PaymentOne = Type.Object({ payment: PaymentView });
export type PaymentOne = Static<typeof PaymentOne>;

export const ResolveBody = Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false });
export type ResolveBody = Static<typeof ResolveBody>;

// --- vouchers ----------------------------------------------------------------------------------

export const VoucherBatchView = Type.Object({
  id: Type.Integer(),
  package: Type.String(),
  count: Type.Integer(),
  prefix: Type.String(),
  codeLength: Type.Integer(),
  validUntil: Nullable(Instant),
  createdBy: Nullable(Type.String()),
  createdAt: Instant,
  unused: Type.Integer(),
  inUse: Type.Integer(),
  expired: Type.Integer(),
  revoked: Type.Integer(),
});
export type VoucherBatchView = Static<typeof VoucherBatchView>;

export const VoucherBatchList = Type.Object({ batches: Type.Array(VoucherBatchView) });
export type VoucherBatchList = Static<typeof VoucherBatchList>;

export const VoucherStatus = Type.Union([Type.Literal('unused'), Type.Literal('in use'), Type.Literal('expired'), Type.Literal('revoked')]);

export const VoucherView = Type.Object({
  code: Type.String(),
  package: Type.String(),
  batchId: Type.Integer(),
  status: Type.String(),
  startsAt: Nullable(Instant),
  expiresAt: Nullable(Instant),
  createdAt: Instant,
});
export type VoucherView = Static<typeof VoucherView>;

export const VoucherBatchDetail = Type.Object({ batch: VoucherBatchView, vouchers: Type.Array(VoucherView) });
export type VoucherBatchDetail = Static<typeof VoucherBatchDetail>;

export const VoucherCreate = Type.Object(
  {
    /** Package name. */
    package: Type.String({ minLength: 1, maxLength: 64 }),
    count: Type.Integer({ minimum: 1, maximum: 10000 }),
    prefix: Type.Optional(Type.String({ maxLength: 8 })),
    length: Type.Optional(Type.Integer({ minimum: 6, maximum: 20 })),
    validDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export type VoucherCreate = Static<typeof VoucherCreate>;

export const VoucherCreated = Type.Object({
  batchId: Type.Integer(),
  package: Type.String(),
  prefix: Type.String(),
  codeLength: Type.Integer(),
  validUntil: Nullable(Instant),
  codes: Type.Array(Type.String()),
});
export type VoucherCreated = Static<typeof VoucherCreated>;

export const RevokeBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
export type RevokeBody = Static<typeof RevokeBody>;

export const Revoked = Type.Object({ revoked: Type.Integer() });
export type Revoked = Static<typeof Revoked>;

export const CodeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) });
export type CodeParams = Static<typeof CodeParams>;

export const SheetQuery = Type.Object({ site: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });
export type SheetQuery = Static<typeof SheetQuery>;
