-- Indexes for the accounting reports (src/reports), so that they read only their range with a
-- year of data. None covers a column that Interim-Updates or logins rewrite (bytes, updated_at,
-- heard_at, online_until), so those writes stay HOT (see the hot_updates migration); a Stop already
-- changes an indexed column (status), so indexing stopped_at costs it nothing more.

-- Sessions overlapping a range: those that began in it, and earlier ones that ended in or after it.
CREATE INDEX IF NOT EXISTS accounting_sessions_started_at_idx ON accounting_sessions (started_at);
CREATE INDEX IF NOT EXISTS accounting_sessions_stopped_at_idx ON accounting_sessions (stopped_at);

-- Mobile-money sales: settled payments of real money, by when they were paid (index-only).
CREATE INDEX IF NOT EXISTS payments_settled_paid_at_idx ON payments (paid_at)
  INCLUDE (router_id, package_id, amount_minor, currency) WHERE status = 'paid' AND NOT sandbox;

-- Payment outcomes per provider, by when the payment was started.
CREATE INDEX IF NOT EXISTS payments_created_at_idx ON payments (created_at)
  INCLUDE (provider, status, router_id, needs_review) WHERE NOT sandbox;

-- Voucher sales: redeemed (clock started), not revoked.
CREATE INDEX IF NOT EXISTS entitlements_voucher_sold_idx ON entitlements (starts_at)
  INCLUDE (router_id, package_id) WHERE source = 'voucher' AND starts_at IS NOT NULL AND status <> 'revoked';
