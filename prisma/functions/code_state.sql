-- Is this code usable? The one definition of an entitlement's (code's) state at a moment, used by
-- the login decision (netflow_decide_logins), the enforcement scan (src/enforce/scan.ts), the
-- portal's voucher check (src/portal/vouchers.ts) and the admin's voucher views and counts
-- (src/admin/vouchers.ts). First match wins:
--
--   revoked               an administrator (or a router that stopped accepting test money) revoked it
--   not_redeemed_in_time  not started, and its redeem-by moment has come: a code not started may be
--                         redeemed while now < redeem_by; at exactly redeem_by it is too late
--   expired               its clock ran out: expires_at <= now (the last usable moment is just
--                         before expires_at); a code not started expires at now + the package's
--                         minutes, so only a package of zero minutes makes it expired
--   data_exhausted        the package has a data cap and usage reached it: up + down >= cap
--   not_started           usable; the clock starts at its first accepted login (expires_at unset)
--   running               usable; started, before expires_at
--
-- Every interval is half-open, [start, end): at the boundary moment itself the later state holds.
-- "Not started" means expires_at IS NULL: starts_at and expires_at are always set together (first
-- login, a purchase whose clock starts at payment, a package change), and the expiry is what counts.
-- LANGUAGE sql, STABLE (timestamptz + interval depends on the time zone), one expression: PostgreSQL
-- inlines it into the calling query, where (e).column reads the column itself — no call per row.
CREATE OR REPLACE FUNCTION netflow_code_state(e entitlements, p packages, p_now timestamptz)
RETURNS text LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN e.status = 'revoked' THEN 'revoked'
    WHEN e.expires_at IS NULL AND e.redeem_by IS NOT NULL AND e.redeem_by <= p_now THEN 'not_redeemed_in_time'
    WHEN coalesce(e.expires_at, p_now + make_interval(mins => p.minutes)) <= p_now THEN 'expired'
    WHEN p.data_cap_bytes IS NOT NULL AND e.bytes_up + e.bytes_down >= p.data_cap_bytes THEN 'data_exhausted'
    WHEN e.expires_at IS NULL THEN 'not_started'
    ELSE 'running'
  END
$$;
