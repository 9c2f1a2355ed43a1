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
