-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "confirm_due" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE UNIQUE INDEX "payments_callback_token_key" ON "payments"("callback_token");
