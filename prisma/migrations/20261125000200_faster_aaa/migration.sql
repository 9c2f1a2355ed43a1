-- Faster accounting and batched authorization.
-- 1. accounting_sessions: the plain index on status made the Lost-Stop check scan every open
--    session; partial indexes serve the queries that need open sessions.
DROP INDEX IF EXISTS accounting_sessions_status_idx;
CREATE INDEX accounting_sessions_open_updated_idx ON accounting_sessions (updated_at) WHERE status = 'open';

-- 2. RFC 2866 §5.10 Acct-Terminate-Cause names, as stored in accounting_sessions.terminate_cause.
CREATE FUNCTION netflow_terminate_cause(code int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE code
    WHEN 1 THEN 'User-Request' WHEN 2 THEN 'Lost-Carrier' WHEN 3 THEN 'Lost-Service' WHEN 4 THEN 'Idle-Timeout'
    WHEN 5 THEN 'Session-Timeout' WHEN 6 THEN 'Admin-Reset' WHEN 7 THEN 'Admin-Reboot' WHEN 8 THEN 'Port-Error'
    WHEN 9 THEN 'NAS-Error' WHEN 10 THEN 'NAS-Request' WHEN 11 THEN 'NAS-Reboot' WHEN 12 THEN 'Port-Unneeded'
    WHEN 13 THEN 'Port-Preempted' WHEN 14 THEN 'Port-Suspended' WHEN 15 THEN 'Service-Unavailable'
    WHEN 16 THEN 'Callback' WHEN 17 THEN 'User-Error' WHEN 18 THEN 'Host-Request'
    ELSE coalesce('Cause-' || code, 'Unknown') END
$$;

-- 3. A new session is written once (insert with its counters), not inserted and then updated.
CREATE OR REPLACE FUNCTION netflow_record_accounting(
  p_router_ids int[], p_status int[], p_session_ids text[], p_user_names text[], p_macs text[],
  p_framed_ips text[], p_nas_port_ids text[], p_session_times int[], p_bytes_up bigint[],
  p_bytes_down bigint[], p_terminate int[], p_delay int[], p_event_at timestamptz[],
  p_entitlement_hints int[], p_attributes jsonb[], p_dedupe text[], p_now timestamptz,
  p_online_seconds int
) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  i int;
  n int := coalesce(array_length(p_router_ids, 1), 0);
  stored int := 0;
  rec_id bigint;
  s accounting_sessions;
  ent_id int;
  add_up bigint;
  add_down bigint;
  cause text;
BEGIN
  FOR i IN 1..n LOOP
    INSERT INTO accounting_records (received_at, event_at, router_id, status_type, acct_session_id, user_name, mac,
                                    framed_ip, session_time, bytes_up, bytes_down, terminate_cause, delay_seconds,
                                    attributes, dedupe_key)
    VALUES (p_now, p_event_at[i], p_router_ids[i], p_status[i], p_session_ids[i], p_user_names[i], p_macs[i],
            p_framed_ips[i], p_session_times[i], p_bytes_up[i], p_bytes_down[i], p_terminate[i], p_delay[i],
            p_attributes[i], p_dedupe[i])
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id INTO rec_id;
    CONTINUE WHEN rec_id IS NULL;
    stored := stored + 1;

    IF p_status[i] IN (7, 8) THEN
      -- Accounting-On/Off: the router (re)booted or stopped accounting; none of its sessions survive.
      UPDATE entitlement_devices d SET online_until = NULL
        FROM accounting_sessions a
        WHERE a.router_id = p_router_ids[i] AND a.status = 'open'
          AND d.entitlement_id = a.entitlement_id AND d.mac = a.mac;
      UPDATE accounting_sessions SET status = 'closed', stopped_at = p_event_at[i], updated_at = p_event_at[i],
             terminate_cause = CASE p_status[i] WHEN 7 THEN 'NAS-Reboot' ELSE 'Accounting-Off' END
        WHERE router_id = p_router_ids[i] AND status = 'open';
      CONTINUE;
    END IF;
    CONTINUE WHEN p_status[i] NOT IN (1, 2, 3) OR p_session_ids[i] IS NULL;

    -- Which entitlement: the Class we issued, else the code in User-Name, else the device (MAC auth).
    ent_id := NULL;
    IF p_entitlement_hints[i] IS NOT NULL THEN
      SELECT id INTO ent_id FROM entitlements WHERE id = p_entitlement_hints[i];
    END IF;
    IF ent_id IS NULL THEN
      SELECT id INTO ent_id FROM entitlements WHERE code = p_user_names[i];
    END IF;
    IF ent_id IS NULL AND p_macs[i] IS NOT NULL THEN
      SELECT d.entitlement_id INTO ent_id FROM entitlement_devices d
        WHERE d.mac = p_macs[i] AND d.router_id = p_router_ids[i] ORDER BY d.last_seen_at DESC LIMIT 1;
    END IF;

    SELECT * INTO s FROM accounting_sessions
      WHERE router_id = p_router_ids[i] AND acct_session_id = p_session_ids[i] FOR UPDATE;
    IF NOT FOUND THEN
      IF p_status[i] = 1 AND p_macs[i] IS NOT NULL THEN
        -- A new Start from a device whose previous session never got its Stop: that Stop was lost.
        UPDATE accounting_sessions SET status = 'closed', stopped_at = p_event_at[i], updated_at = p_event_at[i],
               terminate_cause = 'Lost-Stop'
          WHERE router_id = p_router_ids[i] AND mac = p_macs[i] AND status = 'open';
      END IF;
      -- A new session (or an Interim/Stop whose Start was lost): one insert with everything known.
      cause := CASE WHEN p_status[i] = 2 THEN netflow_terminate_cause(p_terminate[i]) END;
      INSERT INTO accounting_sessions (router_id, acct_session_id, entitlement_id, user_name, mac, framed_ip, nas_port_id,
                                       status, started_at, updated_at, stopped_at, session_time, bytes_up, bytes_down,
                                       terminate_cause)
      VALUES (p_router_ids[i], p_session_ids[i], ent_id, coalesce(p_user_names[i], ''), p_macs[i], p_framed_ips[i],
              p_nas_port_ids[i], CASE WHEN p_status[i] = 2 THEN 'closed' ELSE 'open' END::"AccountingSessionStatus",
              p_event_at[i] - make_interval(secs => coalesce(p_session_times[i], 0)), p_event_at[i],
              CASE WHEN p_status[i] = 2 THEN p_event_at[i] END, coalesce(p_session_times[i], 0),
              coalesce(p_bytes_up[i], 0), coalesce(p_bytes_down[i], 0), cause);
      add_up := coalesce(p_bytes_up[i], 0);
      add_down := coalesce(p_bytes_down[i], 0);
    ELSE
      add_up := greatest(coalesce(p_bytes_up[i], 0) - s.bytes_up, 0);
      add_down := greatest(coalesce(p_bytes_down[i], 0) - s.bytes_down, 0);
      cause := CASE WHEN p_status[i] = 2 THEN netflow_terminate_cause(p_terminate[i]) END;
      UPDATE accounting_sessions SET
          entitlement_id = coalesce(s.entitlement_id, ent_id),
          framed_ip = coalesce(p_framed_ips[i], s.framed_ip),
          bytes_up = s.bytes_up + add_up,
          bytes_down = s.bytes_down + add_down,
          session_time = greatest(s.session_time, coalesce(p_session_times[i], 0)),
          updated_at = greatest(s.updated_at, p_event_at[i]),
          status = CASE WHEN p_status[i] = 2 THEN 'closed'::"AccountingSessionStatus"
                        WHEN s.status = 'stale' THEN 'open'::"AccountingSessionStatus" ELSE s.status END,
          stopped_at = CASE WHEN p_status[i] = 2 THEN p_event_at[i] ELSE s.stopped_at END,
          terminate_cause = coalesce(cause, s.terminate_cause)
        WHERE id = s.id;
      ent_id := coalesce(s.entitlement_id, ent_id);
    END IF;

    CONTINUE WHEN ent_id IS NULL;
    IF add_up > 0 OR add_down > 0 THEN
      UPDATE entitlements SET bytes_up = bytes_up + add_up, bytes_down = bytes_down + add_down WHERE id = ent_id;
    END IF;
    IF p_macs[i] IS NOT NULL THEN
      -- Online while the router keeps reporting; a Stop frees the device's place.
      UPDATE entitlement_devices SET
          last_seen_at = greatest(last_seen_at, p_event_at[i]),
          online_until = CASE WHEN p_status[i] = 2 THEN NULL ELSE p_now + make_interval(secs => p_online_seconds) END
        WHERE entitlement_id = ent_id AND mac = p_macs[i];
    END IF;
  END LOOP;
  RETURN stored;
END $$;

-- 4. Decides a batch of Access-Requests in one call and one transaction (group commit, see
-- src/aaa/batcher.ts). Element i is a MAC login when p_by_mac[i], else a code login.
-- Codes are taken in code order so two batches that touch the same codes lock them in the same
-- order and cannot deadlock; results carry their index so the caller matches them up.
CREATE FUNCTION netflow_authorize_batch(
  p_router_ids int[], p_codes text[], p_passwords text[], p_chap_idents bytea[], p_chap_hashes bytea[],
  p_chap_challenges bytea[], p_macs text[], p_by_mac boolean[], p_nows timestamptz[], p_hold_seconds int
) RETURNS TABLE (idx int, outcome text, entitlement_id int, seconds_left int, bytes_left bigint,
                 rate_up text, rate_down text, idle_timeout int)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  i int;
BEGIN
  FOR i IN SELECT o FROM generate_subscripts(p_codes, 1) o ORDER BY p_codes[o], o LOOP
    idx := i;
    IF p_by_mac[i] THEN
      SELECT * INTO outcome, entitlement_id, seconds_left, bytes_left, rate_up, rate_down, idle_timeout
        FROM netflow_authorize_mac(p_router_ids[i], p_macs[i], p_nows[i], p_hold_seconds);
    ELSE
      SELECT * INTO outcome, entitlement_id, seconds_left, bytes_left, rate_up, rate_down, idle_timeout
        FROM netflow_authorize(p_router_ids[i], p_codes[i], p_passwords[i], p_chap_idents[i], p_chap_hashes[i],
                               p_chap_challenges[i], p_macs[i], p_nows[i], p_hold_seconds);
    END IF;
    RETURN NEXT;
  END LOOP;
END $$;
