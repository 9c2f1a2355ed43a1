-- AlterTable
ALTER TABLE "payments" ADD COLUMN     "review_note" TEXT,
ADD COLUMN     "reviewed_at" TIMESTAMPTZ(3),
ADD COLUMN     "reviewed_by" TEXT;

-- AlterTable
ALTER TABLE "admin_users" ADD COLUMN     "disabled_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "admin_sessions" (
    "token_hash" TEXT NOT NULL,
    "admin_id" INTEGER NOT NULL,
    "csrf_token" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "ip" TEXT,
    "user_agent" TEXT,

    CONSTRAINT "admin_sessions_pkey" PRIMARY KEY ("token_hash")
);

-- CreateIndex
CREATE INDEX "admin_sessions_admin_id_idx" ON "admin_sessions"("admin_id");

-- CreateIndex
CREATE INDEX "admin_sessions_expires_at_idx" ON "admin_sessions"("expires_at");

-- CreateIndex
CREATE INDEX "audit_log_action_idx" ON "audit_log"("action");

-- AddForeignKey
ALTER TABLE "admin_sessions" ADD CONSTRAINT "admin_sessions_admin_id_fkey" FOREIGN KEY ("admin_id") REFERENCES "admin_users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Database functions, copied from prisma/functions/ (their current source: edit those files, then
-- run npm run db:migration), where they differ from what the migrations before this one define.

-- prisma/functions/audit.sql
-- The audit log is append-only in the database: NetFlow's own login (and anything that gets hold
-- of it, such as an injected statement) can INSERT rows but never UPDATE, DELETE or TRUNCATE them.
-- A statement-level BEFORE trigger refuses the statement whatever rows it would touch. Only DDL
-- (dropping the trigger, which a migration would show) or a superuser's
-- session_replication_role = replica gets past it.
CREATE OR REPLACE FUNCTION netflow_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'Audit entries are only ever added (src/audit/audit.ts).';
END $$;

-- prisma/functions/notify.sql
-- Change notifications: triggers (defined in the migrations) call these to wake NetFlow processes.

-- Routers are cached in memory by the RADIUS server (src/db/router-table.ts): tell it when the
-- table changes.
CREATE OR REPLACE FUNCTION netflow_notify_routers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('netflow_routers', TG_OP);
  RETURN NULL;
END $$;

-- Wake the delivery workers at once (an admin's "end session" should not wait for the next poll).
CREATE OR REPLACE FUNCTION netflow_notify_enforcement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('netflow_enforcement', '');
  RETURN NULL;
END $$;

-- Live sessions for the dashboard (src/http/admin/session-events.ts): every NetFlow instance LISTENs
-- on netflow_sessions and passes these on to its server-sent-event streams, so two dashboards on two
-- instances see the same thing. Statement-level with transition tables: one notification per
-- accounting batch and kind, never one per row, and payloads of ids only ("open:12,13",
-- "close:14", "update:15"; "<kind>:*" past 500 ids, meaning "reload"), so the RADIUS path pays a
-- scan of the rows it just wrote and one pg_notify per kind, nothing per client.
CREATE OR REPLACE FUNCTION netflow_notify_sessions_opened() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n int;
  ids text;
BEGIN
  SELECT count(*), string_agg(id::text, ',') INTO n, ids FROM new_sessions;
  IF n > 0 THEN
    PERFORM pg_notify('netflow_sessions', 'open:' || CASE WHEN n > 500 THEN '*' ELSE ids END);
  END IF;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION netflow_notify_sessions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  n_closed int;
  closed text;
  n_other int;
  other text;
BEGIN
  SELECT count(*) FILTER (WHERE status = 'closed'), string_agg(id::text, ',') FILTER (WHERE status = 'closed'),
         count(*) FILTER (WHERE status <> 'closed'), string_agg(id::text, ',') FILTER (WHERE status <> 'closed')
    INTO n_closed, closed, n_other, other
    FROM new_sessions;
  IF n_closed > 0 THEN
    PERFORM pg_notify('netflow_sessions', 'close:' || CASE WHEN n_closed > 500 THEN '*' ELSE closed END);
  END IF;
  IF n_other > 0 THEN
    PERFORM pg_notify('netflow_sessions', 'update:' || CASE WHEN n_other > 500 THEN '*' ELSE other END);
  END IF;
  RETURN NULL;
END $$;

-- Dashboard sign-ins ended (logout, role change, disable): every instance re-checks the sessions
-- behind its open event streams at once and closes those that ended.
CREATE OR REPLACE FUNCTION netflow_notify_admin_sessions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('netflow_admin_sessions', '');
  RETURN NULL;
END $$;

-- Triggers (hand-written).

-- The audit log only grows (prisma/functions/audit.sql).
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION netflow_audit_log_append_only();

-- Live sessions (prisma/functions/notify.sql). Transition tables allow one event per trigger.
CREATE TRIGGER accounting_sessions_opened AFTER INSERT ON accounting_sessions
  REFERENCING NEW TABLE AS new_sessions FOR EACH STATEMENT EXECUTE FUNCTION netflow_notify_sessions_opened();
CREATE TRIGGER accounting_sessions_changed AFTER UPDATE ON accounting_sessions
  REFERENCING NEW TABLE AS new_sessions FOR EACH STATEMENT EXECUTE FUNCTION netflow_notify_sessions_changed();

CREATE TRIGGER admin_sessions_ended AFTER DELETE ON admin_sessions
  FOR EACH STATEMENT EXECUTE FUNCTION netflow_notify_admin_sessions();
