-- The dashboard's live sessions read the open sessions while a dashboard watches
-- (src/http/admin/session-events.ts) instead of being told by triggers on every accounting
-- statement: the transition tables and pg_notify cost RADIUS accounting about 15 % of its
-- throughput in interleaved bench:radius runs.
DROP TRIGGER IF EXISTS accounting_sessions_opened ON accounting_sessions;
DROP TRIGGER IF EXISTS accounting_sessions_changed ON accounting_sessions;
DROP FUNCTION IF EXISTS netflow_notify_sessions_opened();
DROP FUNCTION IF EXISTS netflow_notify_sessions_changed();
