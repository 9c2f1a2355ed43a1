-- BlastRADIUS by default: each router's Message-Authenticator requirement is yes, no or auto
-- (the default: required from the first valid one the router sends, as FreeRADIUS 3.2.5+ does).
-- Routers that required it keep requiring it; the others move to auto.
CREATE TYPE "MessageAuthenticatorPolicy" AS ENUM ('yes', 'no', 'auto');

ALTER TABLE "routers"
  ADD COLUMN "message_authenticator" "MessageAuthenticatorPolicy" NOT NULL DEFAULT 'auto',
  ADD COLUMN "message_authenticator_seen_at" TIMESTAMPTZ(3),
  -- Test money (the payment sandbox) is sold and accepted only on routers marked for testing.
  ADD COLUMN "accepts_test_money" BOOLEAN NOT NULL DEFAULT false;

UPDATE "routers" SET "message_authenticator" = 'yes' WHERE "require_message_authenticator";

-- The router table in each NetFlow instance reloads when a column it reads changes.
DROP TRIGGER routers_updated ON routers;
ALTER TABLE "routers" DROP COLUMN "require_message_authenticator";
CREATE TRIGGER routers_updated AFTER UPDATE OF name, ip, secret, status, message_authenticator,
  message_authenticator_seen_at, coa_port ON routers
  FOR EACH STATEMENT EXECUTE FUNCTION netflow_notify_routers();
