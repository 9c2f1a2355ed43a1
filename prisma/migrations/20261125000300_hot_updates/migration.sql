-- Keep the per-packet writes cheap. PostgreSQL updates a row in place (HOT) only when no indexed
-- column changes, so the columns every Interim-Update and login rewrite carry no index:
-- accounting_sessions.updated_at and entitlement_devices.online_until. Open sessions are few
-- (one per guest online) and reached through accounting_sessions_router_open_idx; a code's devices
-- through entitlement_devices_entitlement_id_mac_key.
DROP INDEX IF EXISTS accounting_sessions_open_updated_idx;
DROP INDEX IF EXISTS entitlement_devices_online_idx;

-- accounting_records is an append-only log; its foreign key check locked the router's row from
-- every concurrent write (KEY SHARE, hence multixacts). Routers are disabled, never deleted.
ALTER TABLE accounting_records DROP CONSTRAINT IF EXISTS accounting_records_router_id_fkey;
