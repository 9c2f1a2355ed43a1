-- CreateTable
CREATE TABLE "router_api_credentials" (
    "router_id" INTEGER NOT NULL,
    "host" TEXT,
    "port" INTEGER NOT NULL,
    "tls" BOOLEAN NOT NULL DEFAULT false,
    "ca_file" TEXT,
    "username" TEXT NOT NULL,
    "password_sealed" TEXT NOT NULL,
    "key_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "router_api_credentials_pkey" PRIMARY KEY ("router_id")
);

-- CreateTable
CREATE TABLE "router_health" (
    "router_id" INTEGER NOT NULL,
    "checked_at" TIMESTAMPTZ(3),
    "reachable" BOOLEAN,
    "error" TEXT,
    "identity" TEXT,
    "version" TEXT,
    "uptime" TEXT,
    "cpu_load" INTEGER,
    "free_memory" BIGINT,
    "total_memory" BIGINT,
    "drift" JSONB,
    "last_answer_at" TIMESTAMPTZ(3),
    "unseen_alerted_at" TIMESTAMPTZ(3),
    "drift_alerted" BOOLEAN NOT NULL DEFAULT false,
    "last_sync_at" TIMESTAMPTZ(3),
    "last_sync" JSONB,
    "lease_until" TIMESTAMPTZ(3),
    "leased_by" TEXT,

    CONSTRAINT "router_health_pkey" PRIMARY KEY ("router_id")
);

-- AddForeignKey
ALTER TABLE "router_api_credentials" ADD CONSTRAINT "router_api_credentials_router_id_fkey" FOREIGN KEY ("router_id") REFERENCES "routers"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "router_health" ADD CONSTRAINT "router_health_router_id_fkey" FOREIGN KEY ("router_id") REFERENCES "routers"("id") ON DELETE CASCADE ON UPDATE CASCADE;
