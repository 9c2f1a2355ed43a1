-- AlterTable
ALTER TABLE "accounting_sessions" ADD COLUMN     "usage_added_down" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "usage_added_up" BIGINT NOT NULL DEFAULT 0;

-- Accounting writes less per record, and the per-packet functions keep keyed lookups.
-- - An existing session is updated directly, its usage growth computed from the row as locked and
--   returned through usage_added_*; before, a locking read of each session preceded its update
--   (two heap writes and two WAL records per Interim/Stop): ~15 % less database CPU per record.
-- - Their plans are made once per connection and kept. Made while a table was small (a new
--   install: they start empty) they kept scanning it as it grew: measured, 21,000 sessions read per
--   accounting batch, every open session read per Lost-Stop lookup (~10 ms a batch with 1,500 guests
--   online), 1.4 ms per login counting devices, every unexpired code read per MAC login. Sequential
--   scans are off in these functions, and each table access carries an index condition (the
--   batch's keys, ids found first, a lateral lookup from the device), since with sequential scans off
--   alone the planner walked whole indexes instead. test/aaa/plans.test.ts reads the row counts.
-- - Accounting-On/Off closes the router's sessions before freeing their devices, the lock order of
--   every other writer: devices first deadlocked with the enforcer closing a session.

CREATE OR REPLACE FUNCTION netflow_record_accounting(p_batch json, p_now timestamptz, p_online_seconds int, p_router_reset boolean)
RETURNS int LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  stored int;
  reset record;
BEGIN
  WITH input AS MATERIALIZED (
    SELECT x.i, x.r, x.t, x.s, x.u, x.m, x.ip, x.np, x.st, x.bu, x.bd, x.tc, x.tn, x.dl,
           to_timestamp(x.at / 1000.0) AS at, x.e, decode(x.a, 'base64') AS a, x.k
    FROM json_to_recordset(p_batch) AS x(i int, r int, t int, s text, u text, m text, ip text, np text, st int,
                                         bu bigint, bd bigint, tc int, tn text, dl int, at bigint, e int, a text, k text)
  ), logged AS (
    -- The log. A retransmission (same dedupe key, RFC 2866 §5.2) is stored once and counted once.
    INSERT INTO accounting_records (received_at, event_at, router_id, status_type, acct_session_id, user_name, mac,
                                    framed_ip, session_time, bytes_up, bytes_down, terminate_cause, delay_seconds,
                                    attributes_raw, dedupe_key)
    SELECT p_now, at, r, t, s, u, m, ip, st, bu, bd, tc, dl, a, k FROM input ORDER BY i
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING dedupe_key
  ), rec AS (
    -- New Start / Interim / Stop records (only the columns the roll-up needs) with their
    -- entitlement: the Class we issued, else the code in User-Name, else the device (MAC login).
    SELECT input.r, input.s, input.t, input.u, input.m, input.ip, input.np, input.st, input.bu, input.bd,
           input.tn, input.at, coalesce(by_class.id, by_code.id, by_mac.entitlement_id) AS ent
    FROM input
    JOIN logged ON logged.dedupe_key = input.k
    LEFT JOIN entitlements by_class ON by_class.id = input.e
    LEFT JOIN entitlements by_code ON by_class.id IS NULL AND by_code.code = input.u
    LEFT JOIN LATERAL (
      SELECT d.entitlement_id FROM entitlement_devices d
      WHERE by_class.id IS NULL AND by_code.id IS NULL AND d.mac = input.m AND d.router_id = input.r
      ORDER BY d.last_seen_at DESC LIMIT 1) by_mac ON true
    WHERE input.t IN (1, 2, 3) AND input.s IS NOT NULL
  ), updated AS (
    -- The batch's existing sessions, reached through their unique key from the batch sorted by that
    -- key (whether the plan walks the sorted batch or the index over its keys, rows are locked in
    -- session-key order; the sort also finishes the log insert first). Counters are cumulative: the
    -- larger value is the current one, and the growth over the row as locked is new usage, which
    -- the same write keeps in usage_added_* for RETURNING (no separate locking read beforehand).
    UPDATE accounting_sessions x SET
      entitlement_id = coalesce(x.entitlement_id, rec.ent),
      framed_ip = coalesce(rec.ip, x.framed_ip),
      usage_added_up = greatest(coalesce(rec.bu, 0) - x.bytes_up, 0),
      usage_added_down = greatest(coalesce(rec.bd, 0) - x.bytes_down, 0),
      bytes_up = greatest(x.bytes_up, coalesce(rec.bu, 0)),
      bytes_down = greatest(x.bytes_down, coalesce(rec.bd, 0)),
      session_time = greatest(x.session_time, coalesce(rec.st, 0)),
      updated_at = greatest(x.updated_at, rec.at),
      status = CASE WHEN rec.t = 2 THEN 'closed'::"AccountingSessionStatus"
                    WHEN x.status = 'stale' THEN 'open'::"AccountingSessionStatus" ELSE x.status END,
      stopped_at = CASE WHEN rec.t = 2 THEN rec.at ELSE x.stopped_at END,
      terminate_cause = CASE WHEN rec.t = 2 THEN rec.tn ELSE x.terminate_cause END
    FROM (SELECT * FROM rec ORDER BY r, s) rec
    WHERE x.router_id = rec.r AND x.acct_session_id = rec.s
      -- The batch's keys as index conditions: with sequential scans off, a plan made on few
      -- sessions otherwise walked the whole unique index and merge-joined it with the batch.
      AND x.router_id = ANY (ARRAY(SELECT r FROM rec)) AND x.acct_session_id = ANY (ARRAY(SELECT s FROM rec))
    RETURNING x.id, x.router_id AS r, x.acct_session_id AS s, x.entitlement_id AS ent, rec.m, rec.t, rec.at,
              x.usage_added_up AS add_up, x.usage_added_down AS add_down
  ), fresh AS (
    SELECT rec.* FROM rec WHERE NOT EXISTS (SELECT 1 FROM updated WHERE updated.r = rec.r AND updated.s = rec.s)
  ), lost AS (
    -- A new Start from a device whose previous session never got its Stop: that Stop was lost.
    -- Its open session, looked up (and locked) from each Start.
    SELECT fresh.at, o.id FROM fresh CROSS JOIN LATERAL (
      SELECT a.id FROM accounting_sessions a WHERE a.router_id = fresh.r AND a.mac = fresh.m AND a.status = 'open' FOR UPDATE) o
    WHERE fresh.t = 1 AND fresh.m IS NOT NULL
  ), lost_stop AS (
    -- Reached by primary key from the ids found: a join of the target table with the CTE alone was
    -- planned as a walk over every session, probing the lookup once per row.
    UPDATE accounting_sessions x SET status = 'closed', stopped_at = lost.at, updated_at = lost.at,
           terminate_cause = 'Lost-Stop'
    FROM lost
    WHERE x.id = lost.id AND x.id = ANY (ARRAY(SELECT id FROM lost))
      AND NOT EXISTS (SELECT 1 FROM updated WHERE updated.id = x.id)
    RETURNING 1
  ), created AS (
    -- A new session (or an Interim/Stop whose Start was lost): one insert with everything known.
    -- A concurrent insert of the same session raises a unique violation, and the batch is retried.
    INSERT INTO accounting_sessions (router_id, acct_session_id, entitlement_id, user_name, mac, framed_ip, nas_port_id,
                                     status, started_at, updated_at, stopped_at, session_time, bytes_up, bytes_down,
                                     terminate_cause)
    SELECT r, s, ent, coalesce(u, ''), m, ip, np,
           CASE WHEN t = 2 THEN 'closed' ELSE 'open' END::"AccountingSessionStatus",
           at - make_interval(secs => coalesce(st, 0)), at, CASE WHEN t = 2 THEN at END, coalesce(st, 0),
           coalesce(bu, 0), coalesce(bd, 0), CASE WHEN t = 2 THEN tn END
    FROM fresh
    RETURNING entitlement_id AS ent, mac AS m, CASE WHEN status = 'closed' THEN 2 ELSE 1 END AS t, updated_at AS at,
              bytes_up AS add_up, bytes_down AS add_down
  ), touched AS (
    SELECT ent, m, t, at, add_up, add_down FROM updated UNION ALL SELECT * FROM created
  ), codes_locked AS (
    -- The codes whose usage grows, locked in id order before any of them is written.
    SELECT e.id FROM entitlements e WHERE e.id IN (SELECT ent FROM touched) ORDER BY e.id FOR NO KEY UPDATE
  ), usage AS (
    UPDATE entitlements e SET bytes_up = e.bytes_up + u.add_up, bytes_down = e.bytes_down + u.add_down
    FROM (SELECT ent, sum(add_up) AS add_up, sum(add_down) AS add_down FROM touched
          WHERE ent IS NOT NULL GROUP BY ent HAVING sum(add_up) > 0 OR sum(add_down) > 0 ORDER BY ent) u
    WHERE e.id = u.ent
      AND (SELECT count(*) FROM lost_stop) >= 0 AND (SELECT count(*) FROM codes_locked) >= 0
    RETURNING e.id
  ), devices AS (
    -- Online while the router keeps reporting; a Stop frees the device's place.
    UPDATE entitlement_devices d SET
      last_seen_at = greatest(d.last_seen_at, t.at),
      online_until = CASE WHEN t.t = 2 THEN NULL ELSE p_now + make_interval(secs => p_online_seconds) END
    FROM touched t
    WHERE t.ent IS NOT NULL AND t.m IS NOT NULL AND d.entitlement_id = t.ent AND d.mac = t.m
      AND (SELECT count(*) FROM usage) >= 0
    RETURNING 1
  )
  -- Lock order: sessions, then codes, then devices — as authorization (codes, then devices) and the
  -- enforcer (session, then device) take them, so none of them can deadlock with this statement.
  -- PostgreSQL runs a data-modifying CTE when it is first read, else at the end in an order of its
  -- own; the one-time conditions above (count(*) >= 0, always true) read each step's predecessor
  -- first: devices → usage → codes_locked, lost_stop → lost, touched → updated, created → logged.
  SELECT count(*) INTO stored FROM logged WHERE (SELECT count(*) FROM devices) >= 0;

  IF p_router_reset AND stored > 0 THEN
    -- Accounting-On/Off: the router (re)booted or stopped accounting; none of its sessions survive.
    -- (Not for a retransmission: that would close sessions started since.)
    SELECT x.r, x.t, to_timestamp(x.at / 1000.0) AS at INTO reset FROM json_to_recordset(p_batch) AS x(r int, t int, at bigint);
    -- Sessions first, then their devices: the lock order of every other writer (the enforcer
    -- closes a session, then frees its device); devices first deadlocked with it.
    WITH closed AS (
      UPDATE accounting_sessions SET status = 'closed', stopped_at = reset.at, updated_at = reset.at,
             terminate_cause = CASE reset.t WHEN 7 THEN 'NAS-Reboot' ELSE 'Accounting-Off' END
        WHERE router_id = reset.r AND status = 'open'
        RETURNING entitlement_id, mac
    )
    UPDATE entitlement_devices d SET online_until = NULL
      FROM closed WHERE d.entitlement_id = closed.entitlement_id AND d.mac = closed.mac;
  END IF;
  RETURN stored;
END $$;

CREATE OR REPLACE FUNCTION netflow_authorize_requests(p_codes json, p_macs json, p_hold_seconds int)
RETURNS TABLE (idx int, outcome text, entitlement_id int, seconds_left int, bytes_left bigint,
               rate_up text, rate_down text, idle_timeout int)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
  mac_login record;
  code text;
BEGIN
  IF json_array_length(p_codes) > 0 THEN
    RETURN QUERY SELECT * FROM netflow_decide_logins(p_codes, p_hold_seconds);
  END IF;
  FOR mac_login IN SELECT x.i, x.r, x.m, x.n FROM json_to_recordset(p_macs) AS x(i int, r int, m text, n bigint) ORDER BY x.i LOOP
    -- The device is known to an entitlement (it logged in before, or paid on the portal with this
    -- MAC) usable on this router: the most recently seen one.
    -- From the device's rows to their entitlements by key (OFFSET 0 keeps that order: joined freely,
    -- the planner started from every unexpired code, 3,000 rows read per MAC login at 3,000 codes).
    SELECT en.code INTO code FROM entitlement_devices d
      CROSS JOIN LATERAL (SELECT e.code, e.status, e.router_id, e.expires_at FROM entitlements e WHERE e.id = d.entitlement_id OFFSET 0) en
      WHERE d.mac = mac_login.m AND en.status = 'active'
        AND (en.router_id IS NULL OR en.router_id = mac_login.r)
        AND (en.expires_at IS NULL OR en.expires_at > to_timestamp(mac_login.n / 1000.0))
      ORDER BY d.last_seen_at DESC LIMIT 1;
    IF NOT FOUND THEN
      RETURN QUERY SELECT mac_login.i, 'unknown_device'::text, NULL::int, NULL::int, NULL::bigint, NULL::text, NULL::text, NULL::int;
    ELSE
      RETURN QUERY SELECT * FROM netflow_decide_logins(
        json_build_array(json_build_object('i', mac_login.i, 'r', mac_login.r, 'c', code, 'm', mac_login.m, 'n', mac_login.n, 'bm', true)),
        p_hold_seconds);
    END IF;
  END LOOP;
END $$;

ALTER FUNCTION netflow_decide_logins(json, int) SET enable_seqscan = off;
