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
