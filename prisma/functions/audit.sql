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
