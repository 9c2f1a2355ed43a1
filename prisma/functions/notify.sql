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

-- Operator settings changed (the admin API, or SQL): the RADIUS reply settings apply without a
-- restart, on every instance (src/app/radius-service.ts and src/app/serve.ts reload them).
CREATE OR REPLACE FUNCTION netflow_notify_settings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('netflow_settings', '');
  RETURN NULL;
END $$;
