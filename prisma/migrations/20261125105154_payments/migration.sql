-- DropIndex
DROP INDEX "payments_provider_reference_key";

-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "callback_token" TEXT NOT NULL,
ADD COLUMN     "checks" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "expires_at" TIMESTAMPTZ(3) NOT NULL,
ADD COLUMN     "ip" TEXT,
ADD COLUMN     "needs_review" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "network" TEXT NOT NULL,
ADD COLUMN     "next_check_at" TIMESTAMPTZ(3) NOT NULL,
ADD COLUMN     "receipt_number" TEXT,
ADD COLUMN     "reference" TEXT NOT NULL,
ADD COLUMN     "sandbox" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "voucher_batches" ADD COLUMN     "code_length" INTEGER NOT NULL DEFAULT 8,
ADD COLUMN     "created_by" TEXT,
ADD COLUMN     "valid_until" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "payment_events" (
    "id" BIGSERIAL NOT NULL,
    "payment_id" UUID,
    "provider" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "authentic" BOOLEAN NOT NULL DEFAULT true,
    "outcome" TEXT,
    "verdict" TEXT NOT NULL,
    "raw" JSONB NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "payment_events_payment_id_idx" ON "payment_events"("payment_id");

-- CreateIndex
CREATE UNIQUE INDEX "payments_reference_key" ON "payments"("reference");

-- CreateIndex
CREATE INDEX "payments_status_next_check_at_idx" ON "payments"("status", "next_check_at");

-- CreateIndex
CREATE INDEX "payments_paid_at_idx" ON "payments"("paid_at");

-- CreateIndex
CREATE UNIQUE INDEX "payments_provider_provider_reference_key" ON "payments"("provider", "provider_reference");

-- AddForeignKey
ALTER TABLE "payment_events" ADD CONSTRAINT "payment_events_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payments"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written: at most one open push per phone and provider. A second purchase request while one
-- is pending gets the open one back instead of a second prompt on the guest's phone (and a double
-- submit from the portal can never create two payments).
CREATE UNIQUE INDEX "payments_one_pending_per_phone" ON "payments" ("phone", "provider") WHERE status = 'pending';
