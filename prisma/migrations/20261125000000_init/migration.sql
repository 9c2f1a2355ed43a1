-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "RouterStatus" AS ENUM ('active', 'disabled');

-- CreateEnum
CREATE TYPE "ClockStart" AS ENUM ('purchase', 'first_login');

-- CreateEnum
CREATE TYPE "EntitlementStatus" AS ENUM ('active', 'revoked');

-- CreateEnum
CREATE TYPE "EntitlementSource" AS ENUM ('purchase', 'voucher', 'admin');

-- CreateEnum
CREATE TYPE "AccountingSessionStatus" AS ENUM ('open', 'closed', 'stale');

-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('pending', 'paid', 'failed', 'expired');

-- CreateEnum
CREATE TYPE "AdminRole" AS ENUM ('admin', 'operator', 'viewer');

-- CreateTable
CREATE TABLE "routers" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "location" TEXT,
    "status" "RouterStatus" NOT NULL DEFAULT 'active',
    "require_message_authenticator" BOOLEAN NOT NULL DEFAULT false,
    "coa_port" INTEGER NOT NULL DEFAULT 3799,
    "last_seen_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "routers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "packages" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "minutes" INTEGER NOT NULL,
    "price_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "rate_limit_up" TEXT NOT NULL,
    "rate_limit_down" TEXT NOT NULL,
    "data_cap_bytes" BIGINT,
    "idle_timeout_seconds" INTEGER,
    "devices_allowed" INTEGER NOT NULL DEFAULT 1,
    "clock_starts_at" "ClockStart" NOT NULL DEFAULT 'purchase',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "packages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "entitlements" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "password" TEXT NOT NULL,
    "package_id" INTEGER NOT NULL,
    "router_id" INTEGER,
    "source" "EntitlementSource" NOT NULL,
    "status" "EntitlementStatus" NOT NULL DEFAULT 'active',
    "redeem_by" TIMESTAMPTZ(3),
    "starts_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),
    "bytes_up" BIGINT NOT NULL DEFAULT 0,
    "bytes_down" BIGINT NOT NULL DEFAULT 0,
    "takeovers" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entitlements_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "entitlement_devices" (
    "id" SERIAL NOT NULL,
    "entitlement_id" INTEGER NOT NULL,
    "mac" TEXT NOT NULL,
    "router_id" INTEGER NOT NULL,
    "random_mac" BOOLEAN NOT NULL DEFAULT false,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "online_until" TIMESTAMPTZ(3),
    "took_over" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "entitlement_devices_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounting_sessions" (
    "id" BIGSERIAL NOT NULL,
    "router_id" INTEGER NOT NULL,
    "acct_session_id" TEXT NOT NULL,
    "entitlement_id" INTEGER,
    "user_name" TEXT NOT NULL,
    "mac" TEXT,
    "framed_ip" TEXT,
    "nas_port_id" TEXT,
    "status" "AccountingSessionStatus" NOT NULL DEFAULT 'open',
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "stopped_at" TIMESTAMPTZ(3),
    "session_time" INTEGER NOT NULL DEFAULT 0,
    "bytes_up" BIGINT NOT NULL DEFAULT 0,
    "bytes_down" BIGINT NOT NULL DEFAULT 0,
    "terminate_cause" TEXT,
    "interim_seconds" INTEGER,

    CONSTRAINT "accounting_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "accounting_records" (
    "id" BIGSERIAL NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "event_at" TIMESTAMPTZ(3) NOT NULL,
    "router_id" INTEGER NOT NULL,
    "status_type" INTEGER NOT NULL,
    "acct_session_id" TEXT,
    "user_name" TEXT,
    "mac" TEXT,
    "framed_ip" TEXT,
    "session_time" INTEGER,
    "bytes_up" BIGINT,
    "bytes_down" BIGINT,
    "terminate_cause" INTEGER,
    "delay_seconds" INTEGER,
    "attributes" JSONB NOT NULL,
    "dedupe_key" TEXT NOT NULL,

    CONSTRAINT "accounting_records_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payments" (
    "id" UUID NOT NULL,
    "package_id" INTEGER NOT NULL,
    "router_id" INTEGER,
    "entitlement_id" INTEGER,
    "provider" TEXT NOT NULL,
    "provider_reference" TEXT,
    "phone" TEXT NOT NULL,
    "mac" TEXT,
    "amount_minor" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" "PaymentStatus" NOT NULL DEFAULT 'pending',
    "failure_reason" TEXT,
    "receipt" JSONB,
    "paid_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "voucher_batches" (
    "id" SERIAL NOT NULL,
    "package_id" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,
    "prefix" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "voucher_batches_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "vouchers" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "batch_id" INTEGER NOT NULL,
    "entitlement_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vouchers_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "admin_users" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "AdminRole" NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "admin_users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "settings" (
    "key" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "settings_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject" TEXT,
    "details" JSONB,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "routers_name_key" ON "routers"("name");

-- CreateIndex
CREATE UNIQUE INDEX "routers_ip_key" ON "routers"("ip");

-- CreateIndex
CREATE UNIQUE INDEX "packages_name_key" ON "packages"("name");

-- CreateIndex
CREATE UNIQUE INDEX "entitlements_code_key" ON "entitlements"("code");

-- CreateIndex
CREATE INDEX "entitlements_expires_at_idx" ON "entitlements"("expires_at");

-- CreateIndex
CREATE INDEX "entitlement_devices_mac_idx" ON "entitlement_devices"("mac");

-- CreateIndex
CREATE UNIQUE INDEX "entitlement_devices_entitlement_id_mac_key" ON "entitlement_devices"("entitlement_id", "mac");

-- CreateIndex
CREATE INDEX "accounting_sessions_entitlement_id_idx" ON "accounting_sessions"("entitlement_id");

-- CreateIndex
CREATE INDEX "accounting_sessions_status_idx" ON "accounting_sessions"("status");

-- CreateIndex
CREATE UNIQUE INDEX "accounting_sessions_router_id_acct_session_id_key" ON "accounting_sessions"("router_id", "acct_session_id");

-- CreateIndex
CREATE UNIQUE INDEX "accounting_records_dedupe_key_key" ON "accounting_records"("dedupe_key");

-- CreateIndex
CREATE INDEX "accounting_records_acct_session_id_idx" ON "accounting_records"("acct_session_id");

-- CreateIndex
CREATE UNIQUE INDEX "payments_entitlement_id_key" ON "payments"("entitlement_id");

-- CreateIndex
CREATE UNIQUE INDEX "payments_provider_reference_key" ON "payments"("provider_reference");

-- CreateIndex
CREATE UNIQUE INDEX "vouchers_code_key" ON "vouchers"("code");

-- CreateIndex
CREATE UNIQUE INDEX "vouchers_entitlement_id_key" ON "vouchers"("entitlement_id");

-- CreateIndex
CREATE UNIQUE INDEX "admin_users_email_key" ON "admin_users"("email");

-- CreateIndex
CREATE INDEX "audit_log_at_idx" ON "audit_log"("at");

-- AddForeignKey
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entitlements" ADD CONSTRAINT "entitlements_router_id_fkey" FOREIGN KEY ("router_id") REFERENCES "routers"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entitlement_devices" ADD CONSTRAINT "entitlement_devices_entitlement_id_fkey" FOREIGN KEY ("entitlement_id") REFERENCES "entitlements"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "entitlement_devices" ADD CONSTRAINT "entitlement_devices_router_id_fkey" FOREIGN KEY ("router_id") REFERENCES "routers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "accounting_sessions" ADD CONSTRAINT "accounting_sessions_router_id_fkey" FOREIGN KEY ("router_id") REFERENCES "routers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "accounting_sessions" ADD CONSTRAINT "accounting_sessions_entitlement_id_fkey" FOREIGN KEY ("entitlement_id") REFERENCES "entitlements"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "accounting_records" ADD CONSTRAINT "accounting_records_router_id_fkey" FOREIGN KEY ("router_id") REFERENCES "routers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_router_id_fkey" FOREIGN KEY ("router_id") REFERENCES "routers"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payments" ADD CONSTRAINT "payments_entitlement_id_fkey" FOREIGN KEY ("entitlement_id") REFERENCES "entitlements"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "voucher_batches" ADD CONSTRAINT "voucher_batches_package_id_fkey" FOREIGN KEY ("package_id") REFERENCES "packages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "voucher_batches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vouchers" ADD CONSTRAINT "vouchers_entitlement_id_fkey" FOREIGN KEY ("entitlement_id") REFERENCES "entitlements"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
