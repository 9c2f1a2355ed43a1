-- AlterTable
ALTER TABLE "routers" ADD COLUMN     "radsec_fingerprint" TEXT,
ADD COLUMN     "radsec_issued_at" TIMESTAMPTZ(3),
ADD COLUMN     "radsec_serial" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "routers_radsec_fingerprint_key" ON "routers"("radsec_fingerprint");

-- The router table in each NetFlow instance reloads when a column it reads changes: now also the
-- RadSec certificate fingerprint (a reissued certificate replaces the old one at once).
DROP TRIGGER routers_updated ON routers;
CREATE TRIGGER routers_updated AFTER UPDATE OF name, ip, secret, status, message_authenticator,
  message_authenticator_seen_at, coa_port, radsec_fingerprint ON routers
  FOR EACH STATEMENT EXECUTE FUNCTION netflow_notify_routers();
