-- CreateTable
CREATE TABLE "report_rollup_days" (
    "tz" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "day_start" TIMESTAMPTZ(3) NOT NULL,
    "day_end" TIMESTAMPTZ(3) NOT NULL,
    "started_end_max" TIMESTAMPTZ(3),
    "computed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_rollup_days_pkey" PRIMARY KEY ("tz","day")
);

-- CreateTable
CREATE TABLE "report_rollup_router_days" (
    "tz" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "router_id" INTEGER NOT NULL,
    "sessions" INTEGER NOT NULL,
    "started" INTEGER NOT NULL,
    "devices" INTEGER NOT NULL,
    "bytes_up" DOUBLE PRECISION NOT NULL,
    "bytes_down" DOUBLE PRECISION NOT NULL,
    "online_seconds" DOUBLE PRECISION NOT NULL,
    "peak_users" INTEGER NOT NULL,
    "peak_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "report_rollup_router_days_pkey" PRIMARY KEY ("tz","day","router_id")
);

-- CreateTable
CREATE TABLE "report_rollup_devices" (
    "tz" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "router_id" INTEGER NOT NULL,
    "mac" TEXT NOT NULL,
    "sessions" INTEGER NOT NULL,
    "bytes_up" BIGINT NOT NULL,
    "bytes_down" BIGINT NOT NULL,
    "last_ended_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "report_rollup_devices_pkey" PRIMARY KEY ("tz","day","router_id","mac")
);

-- CreateTable
CREATE TABLE "report_rollup_dirty" (
    "id" BIGSERIAL NOT NULL,
    "from_at" TIMESTAMPTZ(3) NOT NULL,
    "to_at" TIMESTAMPTZ(3) NOT NULL,
    "marked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_rollup_dirty_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "report_rollup_days_day_end_day_start_idx" ON "report_rollup_days"("day_end", "day_start");

-- CreateIndex
CREATE INDEX "report_rollup_devices_tz_mac_idx" ON "report_rollup_devices"("tz", "mac");

-- Database functions, copied from prisma/functions/ (their current source: edit those files, then
-- run npm run db:migration), where they differ from what the migrations before this one define.

-- prisma/functions/report_rollups.sql
-- Report rollups (src/reports/rollups.ts) go out of date when a session on a rolled-up day changes:
-- these mark the span the session covered (before and after the change) dirty. The triggers (in the
-- report_rollups migration) fire only when that can be the case, so the RADIUS accounting path pays
-- nothing for the usual writes: an Interim-Update or Stop of an open session (an open session's
-- days are never rolled up: it runs until now), and a Start of a session that began in the last ten
-- minutes (only days that ended over an hour ago are rolled up).
CREATE OR REPLACE FUNCTION netflow_mark_report_rollups_dirty() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  lo timestamptz := 'infinity';
  hi timestamptz := '-infinity';
BEGIN
  IF TG_OP <> 'INSERT' THEN
    lo := least(lo, OLD.started_at, OLD.stopped_at, OLD.updated_at);
    hi := greatest(hi, OLD.started_at, CASE WHEN OLD.status = 'open' THEN 'infinity'::timestamptz END, OLD.stopped_at, OLD.updated_at);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    lo := least(lo, NEW.started_at, NEW.stopped_at, NEW.updated_at);
    hi := greatest(hi, NEW.started_at, CASE WHEN NEW.status = 'open' THEN 'infinity'::timestamptz END, NEW.stopped_at, NEW.updated_at);
  END IF;
  INSERT INTO report_rollup_dirty (from_at, to_at) VALUES (lo, hi);
  RETURN NULL;
END $$;

-- TRUNCATE of the sessions: every rollup is out of date.
CREATE OR REPLACE FUNCTION netflow_report_rollups_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO report_rollup_dirty (from_at, to_at) VALUES ('-infinity', 'infinity');
  RETURN NULL;
END $$;

-- Mark rolled-up report days dirty when a session on them changes (see prisma/functions/report_rollups.sql).
-- Not for an open session's updates (Interim-Updates, its Stop, the stale scan: an open session's
-- days are never rolled up), nor for a session that began in the last ten minutes (a normal Start).
CREATE TRIGGER accounting_sessions_rollups_inserted AFTER INSERT ON accounting_sessions
  FOR EACH ROW WHEN (NEW.started_at < now() - interval '10 minutes') EXECUTE FUNCTION netflow_mark_report_rollups_dirty();
CREATE TRIGGER accounting_sessions_rollups_updated AFTER UPDATE ON accounting_sessions
  FOR EACH ROW WHEN (OLD.status <> 'open') EXECUTE FUNCTION netflow_mark_report_rollups_dirty();
CREATE TRIGGER accounting_sessions_rollups_deleted AFTER DELETE ON accounting_sessions
  FOR EACH ROW EXECUTE FUNCTION netflow_mark_report_rollups_dirty();
CREATE TRIGGER accounting_sessions_rollups_truncated AFTER TRUNCATE ON accounting_sessions
  FOR EACH STATEMENT EXECUTE FUNCTION netflow_report_rollups_truncated();
