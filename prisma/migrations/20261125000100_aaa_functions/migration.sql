-- NetFlow AAA decisions as database functions.
-- Why in SQL: each RADIUS packet must be answered in one round trip, and the device claim
-- (N devices per code) must be atomic across concurrent requests and across NetFlow
-- instances sharing the database. The TypeScript side (src/aaa) parses requests, builds
-- replies and maps outcomes to guest messages, while these functions decide and record.

-- Routers are cached in memory by the RADIUS server, so tell it when the table changes.
CREATE FUNCTION netflow_notify_routers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('netflow_routers', TG_OP);
  RETURN NULL;
END $$;

CREATE TRIGGER routers_changed AFTER INSERT OR DELETE OR TRUNCATE ON routers
  FOR EACH STATEMENT EXECUTE FUNCTION netflow_notify_routers();
-- Not on last_seen_at: the server itself writes that every few seconds.
CREATE TRIGGER routers_updated AFTER UPDATE OF name, ip, secret, status, require_message_authenticator, coa_port ON routers
  FOR EACH STATEMENT EXECUTE FUNCTION netflow_notify_routers();

CREATE INDEX entitlement_devices_online_idx ON entitlement_devices (entitlement_id, online_until);
CREATE INDEX accounting_sessions_router_open_idx ON accounting_sessions (router_id) WHERE status = 'open';
CREATE INDEX accounting_sessions_mac_open_idx ON accounting_sessions (router_id, mac) WHERE status = 'open';

-- How many MAC takeovers of one code within 24 hours count as suspicious (code sharing or spoofing).
CREATE FUNCTION netflow_takeover_alert_threshold() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 3';

-- Grants (or refuses) one device access with one entitlement, and claims the device's place.
-- Outcomes: accept | unknown_code | bad_password | revoked | other_router | not_redeemed_in_time
--           | expired | data_exhausted | device_limit | no_device
CREATE FUNCTION netflow_claim(
  e entitlements, p packages, p_router_id int, p_mac text, p_now timestamptz, p_hold_seconds int,
  OUT outcome text, OUT entitlement_id int, OUT seconds_left int, OUT bytes_left bigint,
  OUT rate_up text, OUT rate_down text, OUT idle_timeout int
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  online_others int;
  known_devices int;
  is_new_device boolean;
  recent_takeovers int;
BEGIN
  entitlement_id := e.id;
  IF e.status = 'revoked' THEN outcome := 'revoked'; RETURN; END IF;
  IF e.router_id IS NOT NULL AND e.router_id <> p_router_id THEN outcome := 'other_router'; RETURN; END IF;
  IF p_mac IS NULL THEN outcome := 'no_device'; RETURN; END IF;

  IF e.expires_at IS NULL THEN
    -- The clock has not started: it starts now, at first login.
    IF e.redeem_by IS NOT NULL AND e.redeem_by < p_now THEN outcome := 'not_redeemed_in_time'; RETURN; END IF;
    e.starts_at := p_now;
    e.expires_at := p_now + make_interval(mins => p.minutes);
    UPDATE entitlements SET starts_at = e.starts_at, expires_at = e.expires_at, updated_at = p_now WHERE id = e.id;
  END IF;
  IF e.expires_at <= p_now THEN outcome := 'expired'; RETURN; END IF;
  IF p.data_cap_bytes IS NOT NULL AND e.bytes_up + e.bytes_down >= p.data_cap_bytes THEN
    outcome := 'data_exhausted'; RETURN;
  END IF;

  SELECT count(*) FILTER (WHERE d.online_until > p_now), count(*)
    INTO online_others, known_devices
    FROM entitlement_devices d WHERE d.entitlement_id = e.id AND d.mac <> p_mac;
  IF online_others >= p.devices_allowed THEN outcome := 'device_limit'; RETURN; END IF;

  INSERT INTO entitlement_devices AS d (entitlement_id, mac, router_id, random_mac, first_seen_at, last_seen_at, online_until, took_over)
  VALUES (e.id, p_mac, p_router_id, substr(p_mac, 2, 1) IN ('2', '6', 'A', 'E'), p_now, p_now,
          p_now + make_interval(secs => p_hold_seconds), known_devices >= p.devices_allowed)
  ON CONFLICT (entitlement_id, mac) DO UPDATE
    SET last_seen_at = p_now, router_id = p_router_id,
        online_until = greatest(d.online_until, p_now + make_interval(secs => p_hold_seconds))
  RETURNING (xmax = 0) INTO is_new_device;

  IF is_new_device AND known_devices >= p.devices_allowed THEN
    -- A new MAC takes the code over from devices that are no longer online (MAC randomisation).
    UPDATE entitlements SET takeovers = takeovers + 1 WHERE id = e.id;
    SELECT count(*) INTO recent_takeovers FROM entitlement_devices d
      WHERE d.entitlement_id = e.id AND d.took_over AND d.first_seen_at > p_now - interval '24 hours';
    IF recent_takeovers >= netflow_takeover_alert_threshold() THEN
      INSERT INTO audit_log (at, actor, action, subject, details)
      VALUES (p_now, 'radius', 'security.frequent_mac_takeover', e.code,
              jsonb_build_object('entitlementId', e.id, 'mac', p_mac, 'routerId', p_router_id, 'takeovers24h', recent_takeovers));
    END IF;
  END IF;

  IF e.router_id IS NULL THEN
    UPDATE entitlements SET router_id = p_router_id WHERE id = e.id;
  END IF;

  outcome := 'accept';
  seconds_left := greatest(1, floor(extract(epoch FROM e.expires_at - p_now)))::int;
  IF p.data_cap_bytes IS NOT NULL THEN bytes_left := p.data_cap_bytes - e.bytes_up - e.bytes_down; END IF;
  rate_up := p.rate_limit_up;
  rate_down := p.rate_limit_down;
  idle_timeout := p.idle_timeout_seconds;
END $$;

-- Login with a code (voucher or purchase) and its password, PAP or CHAP.
-- CHAP: MD5(ident || password || challenge) computed here, so the password never leaves the database.
CREATE FUNCTION netflow_authorize(
  p_router_id int, p_code text, p_password text,
  p_chap_ident bytea, p_chap_hash bytea, p_chap_challenge bytea,
  p_mac text, p_now timestamptz, p_hold_seconds int,
  OUT outcome text, OUT entitlement_id int, OUT seconds_left int, OUT bytes_left bigint,
  OUT rate_up text, OUT rate_down text, OUT idle_timeout int
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  e entitlements;
  p packages;
BEGIN
  -- The row lock serialises concurrent logins with the same code (device places, clock start).
  SELECT * INTO e FROM entitlements WHERE code = p_code FOR UPDATE;
  IF NOT FOUND THEN outcome := 'unknown_code'; RETURN; END IF;
  IF p_chap_hash IS NOT NULL THEN
    IF md5(p_chap_ident || convert_to(e.password, 'UTF8') || p_chap_challenge) <> encode(p_chap_hash, 'hex') THEN
      outcome := 'bad_password'; RETURN;
    END IF;
  ELSIF p_password IS DISTINCT FROM e.password THEN
    outcome := 'bad_password'; RETURN;
  END IF;
  SELECT * INTO p FROM packages WHERE id = e.package_id;
  SELECT * INTO outcome, entitlement_id, seconds_left, bytes_left, rate_up, rate_down, idle_timeout
    FROM netflow_claim(e, p, p_router_id, p_mac, p_now, p_hold_seconds);
END $$;

-- MAC authentication (hotspot login-by=mac): the device is already known to an entitlement
-- (it logged in before, or paid on the portal with this MAC) on this router.
CREATE FUNCTION netflow_authorize_mac(
  p_router_id int, p_mac text, p_now timestamptz, p_hold_seconds int,
  OUT outcome text, OUT entitlement_id int, OUT seconds_left int, OUT bytes_left bigint,
  OUT rate_up text, OUT rate_down text, OUT idle_timeout int
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  e entitlements;
  p packages;
BEGIN
  SELECT en.* INTO e FROM entitlement_devices d JOIN entitlements en ON en.id = d.entitlement_id
    WHERE d.mac = p_mac AND en.status = 'active'
      AND (en.router_id IS NULL OR en.router_id = p_router_id)
      AND (en.expires_at IS NULL OR en.expires_at > p_now)
    ORDER BY d.last_seen_at DESC LIMIT 1
    FOR UPDATE OF en;
  IF NOT FOUND THEN outcome := 'unknown_device'; RETURN; END IF;
  SELECT * INTO p FROM packages WHERE id = e.package_id;
  SELECT * INTO outcome, entitlement_id, seconds_left, bytes_left, rate_up, rate_down, idle_timeout
    FROM netflow_claim(e, p, p_router_id, p_mac, p_now, p_hold_seconds);
END $$;

-- Stores a batch of Accounting-Requests and applies them to sessions, devices and usage, in
-- arrival order, in the caller's transaction (one commit per batch = group commit, and the caller
-- answers the router only after COMMIT). A packet whose dedupe_key was seen before is a
-- retransmission: it is not stored again and changes nothing.
-- Counters are cumulative per session, so usage grows by the increase over what was stored.
CREATE FUNCTION netflow_record_accounting(
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
      -- Interim or Stop without a Start (the Start was lost): create the session from what we know.
      INSERT INTO accounting_sessions (router_id, acct_session_id, entitlement_id, user_name, mac, framed_ip, nas_port_id,
                                       status, started_at, updated_at)
      VALUES (p_router_ids[i], p_session_ids[i], ent_id, coalesce(p_user_names[i], ''), p_macs[i], p_framed_ips[i],
              p_nas_port_ids[i], 'open',
              p_event_at[i] - make_interval(secs => coalesce(p_session_times[i], 0)), p_event_at[i])
      RETURNING * INTO s;
    END IF;

    add_up := greatest(coalesce(p_bytes_up[i], 0) - s.bytes_up, 0);
    add_down := greatest(coalesce(p_bytes_down[i], 0) - s.bytes_down, 0);
    cause := NULL;
    IF p_status[i] = 2 THEN
      cause := CASE p_terminate[i]
        WHEN 1 THEN 'User-Request' WHEN 2 THEN 'Lost-Carrier' WHEN 3 THEN 'Lost-Service' WHEN 4 THEN 'Idle-Timeout'
        WHEN 5 THEN 'Session-Timeout' WHEN 6 THEN 'Admin-Reset' WHEN 7 THEN 'Admin-Reboot' WHEN 8 THEN 'Port-Error'
        WHEN 9 THEN 'NAS-Error' WHEN 10 THEN 'NAS-Request' WHEN 11 THEN 'NAS-Reboot' WHEN 18 THEN 'Host-Request'
        ELSE coalesce('Cause-' || p_terminate[i], 'Unknown') END;
    END IF;

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
