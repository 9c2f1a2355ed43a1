-- Accounting: a batch of Accounting-Requests (src/aaa/accounting.ts groups what arrives while a
-- write is in flight) stored and rolled up in one statement: the log (accounting_records, each
-- packet once), the sessions (accounting_sessions), the codes' usage (entitlements.bytes_*) and the
-- devices' online places (entitlement_devices). Returns how many records were new (not
-- retransmissions). p_router_reset: the batch is one Accounting-On/Off, which closes every open
-- session of its router.
--
-- RouterOS reuses Acct-Session-Ids (one hex digit per reboot, so after 16 reboots): a record whose
-- session began after the stored session with its key was last heard of starts a new session; the
-- old one keeps its history under the key "<id>#<row id>" (see retired). heard_at is when we last
-- received a record of the session, by our clock, which the stale scan reads (src/enforce/scan.ts).
CREATE OR REPLACE FUNCTION netflow_record_accounting(p_batch json, p_now timestamptz, p_online_seconds int, p_router_reset boolean)
RETURNS int LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
DECLARE
  stored int;
  reset record;
BEGIN
  WITH input AS MATERIALIZED (
    -- The batch's records, keys as declared in src/aaa/accounting.ts (ACCOUNTING_RECORD_KEYS; a test
    -- keeps the two lists equal), renamed to the short names the steps below use.
    SELECT x.seq AS i, x.router_id AS r, x.status_type AS t, x.session_id AS s, x.user_name AS u, x.mac AS m,
           x.framed_ip AS ip, x.nas_port_id AS np, x.session_time AS st, x.bytes_up AS bu, x.bytes_down AS bd,
           x.terminate_cause AS tc, x.terminate_cause_name AS tn, x.delay_seconds AS dl,
           to_timestamp(x.event_ms / 1000.0) AS at, x.entitlement_hint AS e, decode(x.attributes, 'base64') AS a,
           x.dedupe_key AS k
    FROM json_to_recordset(p_batch) AS x(seq int, router_id int, status_type int, session_id text, user_name text,
                                         mac text, framed_ip text, nas_port_id text, session_time int, bytes_up bigint,
                                         bytes_down bigint, terminate_cause int, terminate_cause_name text,
                                         delay_seconds int, event_ms bigint, entitlement_hint int, attributes text,
                                         dedupe_key text)
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
      heard_at = p_now,
      status = CASE WHEN rec.t = 2 THEN 'closed'::"AccountingSessionStatus"
                    WHEN x.status = 'stale' THEN 'open'::"AccountingSessionStatus" ELSE x.status END,
      stopped_at = CASE WHEN rec.t = 2 THEN rec.at ELSE x.stopped_at END,
      terminate_cause = CASE WHEN rec.t = 2 THEN rec.tn ELSE x.terminate_cause END
    FROM (SELECT * FROM rec ORDER BY r, s) rec
    WHERE x.router_id = rec.r AND x.acct_session_id = rec.s
      -- The batch's keys as index conditions: with sequential scans off, a plan made on few
      -- sessions otherwise walked the whole unique index and merge-joined it with the batch.
      AND x.router_id = ANY (ARRAY(SELECT r FROM rec)) AND x.acct_session_id = ANY (ARRAY(SELECT s FROM rec))
      -- Not another session reusing the Acct-Session-Id (see retired): one that began over ten
      -- minutes after this row was last heard of — by the router's own clock (updated_at; the
      -- enforcer's stopped_at is ours), and a retransmission's event time from arrival − delay may
      -- be off by seconds — when this one has ended, or the record is a Start, or its counters are
      -- below this row's (a router clock set forward mid-session changes neither). Without
      -- Acct-Session-Time an Interim/Stop's start is unknown: the same session.
      AND NOT coalesce((rec.t = 1 OR rec.st IS NOT NULL)
                       AND rec.at - make_interval(secs => coalesce(rec.st, 0)) > x.updated_at + interval '10 minutes'
                       AND (x.status = 'closed' OR rec.t = 1 OR rec.st < x.session_time
                            OR rec.bu < x.bytes_up OR rec.bd < x.bytes_down), false)
    RETURNING x.id, x.router_id AS r, x.acct_session_id AS s, x.entitlement_id AS ent, rec.m, rec.t, rec.at,
              x.usage_added_up AS add_up, x.usage_added_down AS add_down
  ), retired AS (
    -- A row with a record's key that the record does not belong to: RouterOS reuses an
    -- Acct-Session-Id once its per-boot digit wraps (16 reboots). The old session keeps its history
    -- under a new key (closed as Lost-Stop if it never got its Stop) and the record starts a new one.
    UPDATE accounting_sessions x SET acct_session_id = x.acct_session_id || '#' || x.id,
           status = 'closed', stopped_at = coalesce(x.stopped_at, x.updated_at),
           terminate_cause = coalesce(x.terminate_cause, 'Lost-Stop')
    FROM rec
    WHERE x.router_id = rec.r AND x.acct_session_id = rec.s
      AND x.router_id = ANY (ARRAY(SELECT r FROM rec)) AND x.acct_session_id = ANY (ARRAY(SELECT s FROM rec))
      AND NOT EXISTS (SELECT 1 FROM updated WHERE updated.id = x.id)
    RETURNING x.id
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
      AND NOT EXISTS (SELECT 1 FROM retired WHERE retired.id = x.id)
    RETURNING 1
  ), created AS (
    -- A new session (or an Interim/Stop whose Start was lost): one insert with everything known.
    -- A concurrent insert of the same session raises a unique violation, and the batch is retried.
    INSERT INTO accounting_sessions (router_id, acct_session_id, entitlement_id, user_name, mac, framed_ip, nas_port_id,
                                     status, started_at, updated_at, heard_at, stopped_at, session_time, bytes_up, bytes_down,
                                     terminate_cause)
    SELECT r, s, ent, coalesce(u, ''), m, ip, np,
           CASE WHEN t = 2 THEN 'closed' ELSE 'open' END::"AccountingSessionStatus",
           at - make_interval(secs => coalesce(st, 0)), at, p_now, CASE WHEN t = 2 THEN at END, coalesce(st, 0),
           coalesce(bu, 0), coalesce(bd, 0), CASE WHEN t = 2 THEN tn END
    FROM fresh
    WHERE netflow_after((SELECT count(*) FROM retired)) -- a reused key is renamed first
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
      AND netflow_after((SELECT count(*) FROM lost_stop), (SELECT count(*) FROM codes_locked))
    RETURNING e.id
  ), devices AS (
    -- Online while the router keeps reporting; a Stop frees the device's place.
    UPDATE entitlement_devices d SET
      last_seen_at = greatest(d.last_seen_at, t.at),
      online_until = CASE WHEN t.t = 2 THEN NULL ELSE p_now + make_interval(secs => p_online_seconds) END
    FROM touched t
    WHERE t.ent IS NOT NULL AND t.m IS NOT NULL AND d.entitlement_id = t.ent AND d.mac = t.m
      AND netflow_after((SELECT count(*) FROM usage))
    RETURNING 1
  )
  -- Step order. Lock order: sessions, then codes, then devices — as authorization (codes, then
  -- devices) and the enforcer (session, then device) take them, so none of them can deadlock with
  -- this statement. A step that must wait for others names them with netflow_after (steps.sql):
  -- created waits for retired (a reused key is renamed first), usage for lost_stop and
  -- codes_locked, devices for usage, and the statement's result for devices; every other order
  -- follows from what a step reads. Kept as one statement
  -- on purpose: separate statements would need the batch's intermediate rows (rec, updated, created)
  -- in temporary tables or arrays between them, and one statement is one snapshot, one plan per
  -- batch and one round of executor start-up. A restructuring must show with npm run bench:radius
  -- (acct) that it costs nothing before it replaces this.
  SELECT count(*) INTO stored FROM logged WHERE netflow_after((SELECT count(*) FROM devices));

  IF p_router_reset AND stored > 0 THEN
    -- Accounting-On/Off: the router (re)booted or stopped accounting; none of its sessions survive.
    -- (Not for a retransmission: that would close sessions started since.)
    SELECT x.router_id AS r, x.status_type AS t, to_timestamp(x.event_ms / 1000.0) AS at INTO reset
      FROM json_to_recordset(p_batch) AS x(router_id int, status_type int, event_ms bigint);
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
