-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "purchase_token_hash" TEXT;

-- CreateTable
CREATE TABLE "seen_callbacks" (
    "provider" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "seen_callbacks_pkey" PRIMARY KEY ("provider","signature")
);

-- CreateIndex
CREATE INDEX "seen_callbacks_seen_at_idx" ON "seen_callbacks"("seen_at");
