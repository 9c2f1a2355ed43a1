-- Orders the steps of one data-modifying statement. PostgreSQL runs a data-modifying WITH step when
-- something first reads it, and otherwise at the end, in an order of its own. A step that must run
-- after others says so: WHERE netflow_after((SELECT count(*) FROM a), (SELECT count(*) FROM b)) —
-- counting reads those steps to their end before this one starts. Always true. PL/pgSQL, so that
-- the planner cannot inline it and drop the counts it does not use; no column of a row among its
-- arguments, so it is a one-time condition, checked once per statement.
CREATE OR REPLACE FUNCTION netflow_after(VARIADIC steps_done bigint[]) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
  RETURN true;
END $$;
