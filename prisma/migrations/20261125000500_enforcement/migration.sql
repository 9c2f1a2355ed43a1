-- CreateEnum
CREATE TYPE "EnforcementKind" AS ENUM ('disconnect', 'coa');

-- CreateEnum
CREATE TYPE "EnforcementStatus" AS ENUM ('pending', 'acked', 'nakked', 'obsolete', 'failed');

-- CreateTable
CREATE TABLE "enforcement_actions" (
    "id" BIGSERIAL NOT NULL,
    "kind" "EnforcementKind" NOT NULL,
    "reason" TEXT NOT NULL,
    "session_id" BIGINT NOT NULL,
    "router_id" INTEGER NOT NULL,
    "attributes" JSONB,
    "status" "EnforcementStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "locked_until" TIMESTAMPTZ(3),
    "locked_by" TEXT,
    "error_cause" INTEGER,
    "last_error" TEXT,
    "requested_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "enforcement_actions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "enforcement_actions_status_next_attempt_at_idx" ON "enforcement_actions"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "enforcement_actions_session_id_idx" ON "enforcement_actions"("session_id");

-- AddForeignKey
ALTER TABLE "enforcement_actions" ADD CONSTRAINT "enforcement_actions_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "accounting_sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enforcement_actions" ADD CONSTRAINT "enforcement_actions_router_id_fkey" FOREIGN KEY ("router_id") REFERENCES "routers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written: at most one pending request of each kind per session, so two NetFlow instances
-- scanning at once (or an admin clicking twice) queue it once.
CREATE UNIQUE INDEX enforcement_actions_one_pending ON enforcement_actions (session_id, kind) WHERE status = 'pending';

-- Wake the delivery workers at once (an admin's "end session" should not wait for the next poll).
CREATE FUNCTION netflow_notify_enforcement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('netflow_enforcement', '');
  RETURN NULL;
END $$;
CREATE TRIGGER enforcement_actions_queued AFTER INSERT ON enforcement_actions
  FOR EACH STATEMENT EXECUTE FUNCTION netflow_notify_enforcement();
