-- The captive portal's rate-limit counters, shared by every NetFlow instance on the database
-- (src/http/rate-limit.ts). UNLOGGED: a counter needs no crash safety, and its writes cost no WAL;
-- after a crash the table starts empty, which only resets the current windows.

-- CreateTable
CREATE UNLOGGED TABLE "portal_rate_limits" (
    "key" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "window_end" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "portal_rate_limits_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "portal_rate_limits_window_end_idx" ON "portal_rate_limits"("window_end");
