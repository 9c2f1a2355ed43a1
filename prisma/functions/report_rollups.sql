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
