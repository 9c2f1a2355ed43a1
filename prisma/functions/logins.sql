-- Login decisions: a batch of Access-Requests decided, and accepted devices' places claimed, in one
-- database call (src/aaa/authorize.ts), so concurrent logins with one code cannot both take its last
-- place, from one NetFlow instance or several sharing the database.

-- How many MAC takeovers of one code within 24 hours count as suspicious (code sharing or spoofing).
CREATE OR REPLACE FUNCTION netflow_takeover_alert_threshold() RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 3';

-- Decides logins with codes. p_logins is a JSON array of code logins, keys as declared in the
-- json_to_recordset column list below and in src/aaa/authorize.ts (CODE_LOGIN_KEYS, a test keeps the
-- two equal): seq the request's place in the batch, router_id, code, password (PAP), chap_ident /
-- chap_response / chap_challenge (CHAP, base64), mac the device's MAC, now_ms the request's time (ms
-- since the epoch), by_mac true when the router vouched for the device (MAC login: no password to
-- check). A code appears at most once in p_logins (src/aaa/authorize.ts).
-- Outcomes: accept | unknown_code | bad_password | revoked | other_router | not_redeemed_in_time
--           | expired | data_exhausted | device_limit | no_device
-- The code's own state (revoked, redeem-by, expiry, data cap) is netflow_code_state's.
CREATE OR REPLACE FUNCTION netflow_decide_logins(p_logins json, p_hold_seconds int)
RETURNS TABLE (idx int, outcome text, entitlement_id int, seconds_left int, bytes_left bigint,
               rate_up text, rate_down text, idle_timeout int)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off AS $$
#variable_conflict use_column
DECLARE
  ids int[];
BEGIN
  -- 1. The codes' rows, locked in id order (as accounting locks the codes whose usage grows):
  -- logins racing for a code's last device place (from another NetFlow instance too) are
  -- serialised here. The decision below is a new statement, so its snapshot sees whatever the
  -- holder of a lock we waited for had committed.
  SELECT array_agg(en.id) INTO ids
    FROM json_to_recordset(p_logins) AS x(code text)
    CROSS JOIN LATERAL (SELECT e.id FROM entitlements e WHERE e.code = x.code OFFSET 0) en;
  PERFORM 1 FROM entitlements e WHERE e.id = ANY (ids) ORDER BY e.id FOR UPDATE;

  -- 2. Decide every code login, claim the accepted devices' places, start clocks, count takeovers.
  RETURN QUERY
  WITH input AS MATERIALIZED (
    SELECT x.seq AS i, x.router_id AS r, x.code AS c, x.password AS pw, decode(x.chap_ident, 'base64') AS ci,
           decode(x.chap_response, 'base64') AS ch, decode(x.chap_challenge, 'base64') AS cc, x.mac AS m,
           to_timestamp(x.now_ms / 1000.0) AS now, coalesce(x.by_mac, false) AS bm
    FROM json_to_recordset(p_logins) AS x(seq int, router_id int, code text, password text, chap_ident text,
                                          chap_response text, chap_challenge text, mac text, now_ms bigint, by_mac boolean)
  ), judged AS MATERIALIZED (
    SELECT input.*, e.id AS eid, e.expires_at, e.bytes_up, e.bytes_down, e.router_id AS bound_router,
           p.data_cap_bytes, p.devices_allowed, p.rate_limit_up, p.rate_limit_down, p.idle_timeout_seconds,
           coalesce(e.expires_at, input.now + make_interval(mins => p.minutes)) AS until,
           dv.known_devices,
           CASE
             WHEN e.id IS NULL THEN 'unknown_code'
             WHEN NOT input.bm AND CASE WHEN input.ch IS NOT NULL
                       THEN md5(input.ci || convert_to(e.password, 'UTF8') || input.cc) <> encode(input.ch, 'hex')
                       ELSE input.pw IS DISTINCT FROM e.password END THEN 'bad_password'
             WHEN code.state = 'revoked' THEN 'revoked'
             WHEN e.router_id IS NOT NULL AND e.router_id <> input.r THEN 'other_router'
             WHEN input.m IS NULL THEN 'no_device'
             -- not_redeemed_in_time, expired, data_exhausted: the state is the outcome
             WHEN code.state NOT IN ('not_started', 'running') THEN code.state
             WHEN dv.online_others >= p.devices_allowed THEN 'device_limit'
             ELSE 'accept'
           END AS outcome
    FROM input
    LEFT JOIN LATERAL (SELECT * FROM entitlements en WHERE en.code = input.c OFFSET 0) e ON true
    LEFT JOIN LATERAL (SELECT * FROM packages pk WHERE pk.id = e.package_id OFFSET 0) p ON true
    CROSS JOIN LATERAL (SELECT netflow_code_state(e, p, input.now) AS state) code
    LEFT JOIN LATERAL (
      SELECT count(*) FILTER (WHERE d.online_until > input.now) AS online_others, count(*) AS known_devices
      FROM entitlement_devices d WHERE d.entitlement_id = e.id AND d.mac <> input.m) dv ON true
  ), claimed AS (
    -- The device holds its place from now until its Accounting-Start (then accounting keeps it).
    INSERT INTO entitlement_devices AS d (entitlement_id, mac, router_id, random_mac, first_seen_at, last_seen_at,
                                          online_until, took_over)
    SELECT j.eid, j.m, j.r, substr(j.m, 2, 1) IN ('2', '6', 'A', 'E'), j.now, j.now,
           j.now + make_interval(secs => p_hold_seconds), j.known_devices >= j.devices_allowed
    FROM judged j WHERE j.outcome = 'accept'
    ON CONFLICT (entitlement_id, mac) DO UPDATE
      SET last_seen_at = excluded.last_seen_at, router_id = excluded.router_id,
          online_until = greatest(d.online_until, excluded.online_until)
    RETURNING d.entitlement_id AS eid, (xmax = 0) AS is_new
  ), takeovers AS (
    -- A new MAC taking the code over from devices that are no longer online (MAC randomisation).
    SELECT j.* FROM judged j JOIN claimed c ON c.eid = j.eid
    WHERE c.is_new AND j.known_devices >= j.devices_allowed
  ), updated AS (
    -- The clock starts at the first login that passes the redeem-by check (as netflow_claim did,
    -- before its later checks); the code is bound to its first router; takeovers are counted.
    UPDATE entitlements en SET
      starts_at = CASE WHEN j.expires_at IS NULL THEN j.now ELSE en.starts_at END,
      expires_at = j.until,
      updated_at = CASE WHEN j.expires_at IS NULL THEN j.now ELSE en.updated_at END,
      router_id = CASE WHEN j.outcome = 'accept' THEN coalesce(en.router_id, j.r) ELSE en.router_id END,
      takeovers = en.takeovers + CASE WHEN t.eid IS NOT NULL THEN 1 ELSE 0 END
    FROM judged j LEFT JOIN takeovers t ON t.eid = j.eid
    WHERE en.id = j.eid
      -- The rows by primary key (an array of ids), not a hash join over the whole table, which the
      -- planner would choose from the batch's default estimate of 100 rows.
      AND en.id = ANY (ARRAY(SELECT eid FROM judged WHERE eid IS NOT NULL))
      AND ((j.expires_at IS NULL AND j.outcome IN ('accept', 'expired', 'data_exhausted', 'device_limit'))
           OR (j.outcome = 'accept' AND j.bound_router IS NULL)
           OR t.eid IS NOT NULL)
  ), alerts AS (
    -- The new device's own row (took_over, first seen now) is not visible here: hence the + 1.
    INSERT INTO audit_log (at, actor, action, subject, details)
    SELECT t.now, 'radius', 'security.frequent_mac_takeover', t.c,
           jsonb_build_object('entitlementId', t.eid, 'mac', t.m, 'routerId', t.r, 'takeovers24h', recent.n + 1)
    FROM takeovers t
    CROSS JOIN LATERAL (SELECT count(*) AS n FROM entitlement_devices d
                        WHERE d.entitlement_id = t.eid AND d.took_over AND d.first_seen_at > t.now - interval '24 hours') recent
    WHERE recent.n + 1 >= netflow_takeover_alert_threshold()
  )
  SELECT j.i, j.outcome, CASE WHEN j.outcome IN ('unknown_code', 'bad_password') THEN NULL ELSE j.eid END,
         CASE WHEN j.outcome = 'accept' THEN greatest(1, floor(extract(epoch FROM j.until - j.now)))::int END,
         CASE WHEN j.outcome = 'accept' AND j.data_cap_bytes IS NOT NULL THEN j.data_cap_bytes - j.bytes_up - j.bytes_down END,
         CASE WHEN j.outcome = 'accept' THEN j.rate_limit_up END,
         CASE WHEN j.outcome = 'accept' THEN j.rate_limit_down END,
         CASE WHEN j.outcome = 'accept' THEN j.idle_timeout_seconds END
  FROM judged j;

END $$;

-- Decides a batch of Access-Requests: p_codes as netflow_decide_logins reads them, p_macs the MAC
-- logins (hotspot login-by=mac), keys as declared below and in src/aaa/authorize.ts (MAC_LOGIN_KEYS):
-- seq, router_id, mac, now_ms. MAC logins come after the code logins, one at a time, each a new
-- statement: a device's entitlement may be the one a code login just claimed a place of, and two
-- devices of one code must never be judged on the same snapshot.
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
  FOR mac_login IN SELECT x.seq, x.router_id, x.mac, x.now_ms
                     FROM json_to_recordset(p_macs) AS x(seq int, router_id int, mac text, now_ms bigint) ORDER BY x.seq LOOP
    -- The device is known to an entitlement (it logged in before, or paid on the portal with this
    -- MAC) usable on this router: the most recently seen one. Only a candidate: the decision, with
    -- the code's full state, is netflow_decide_logins's.
    -- From the device's rows to their entitlements by key (OFFSET 0 keeps that order: joined freely,
    -- the planner started from every unexpired code, 3,000 rows read per MAC login at 3,000 codes).
    SELECT en.code INTO code FROM entitlement_devices d
      CROSS JOIN LATERAL (SELECT e.code, e.status, e.router_id, e.expires_at FROM entitlements e WHERE e.id = d.entitlement_id OFFSET 0) en
      WHERE d.mac = mac_login.mac AND en.status = 'active'
        AND (en.router_id IS NULL OR en.router_id = mac_login.router_id)
        AND (en.expires_at IS NULL OR en.expires_at > to_timestamp(mac_login.now_ms / 1000.0))
      ORDER BY d.last_seen_at DESC LIMIT 1;
    IF NOT FOUND THEN
      RETURN QUERY SELECT mac_login.seq, 'unknown_device'::text, NULL::int, NULL::int, NULL::bigint, NULL::text, NULL::text, NULL::int;
    ELSE
      RETURN QUERY SELECT * FROM netflow_decide_logins(
        json_build_array(json_build_object('seq', mac_login.seq, 'router_id', mac_login.router_id, 'code', code,
                                           'mac', mac_login.mac, 'now_ms', mac_login.now_ms, 'by_mac', true)),
        p_hold_seconds);
    END IF;
  END LOOP;
END $$;
