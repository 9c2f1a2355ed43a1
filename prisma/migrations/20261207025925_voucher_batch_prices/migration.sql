-- AlterTable
ALTER TABLE "voucher_batches" ADD COLUMN     "currency" CHAR(3),
ADD COLUMN     "price_minor" BIGINT;

-- Batches made before this migration sell at their package's price as it is now (the best
-- record there is of what they were sold for).
UPDATE "voucher_batches" b SET "price_minor" = p."price_minor", "currency" = p."currency"
  FROM "packages" p WHERE p."id" = b."package_id" AND b."price_minor" IS NULL;
