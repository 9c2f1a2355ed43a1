// accounting: stores every Accounting-Request durably, then lets the caller answer the router.
// Group commit: packets that arrive while a write is in flight are queued and written together
// in the next single statement (one transaction, one WAL flush), so throughput grows with load
// while each packet is still on disk before its Accounting-Response.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createBatcher } from './batcher.js';

export const ACCT_STATUS = { start: 1, stop: 2, interim: 3, accountingOn: 7, accountingOff: 8 } as const;

export interface AccountingEvent {
  routerId: number;
  statusType: number;
  sessionId: string | null;
  userName: string | null;
  mac: string | null;
  framedIp: string | null;
  nasPortId: string | null;
  sessionTime: number | null;
  /** Acct-Input-Octets (+Gigawords): bytes received from the guest, i.e. upload. */
  bytesUp: bigint | null;
  /** Acct-Output-Octets (+Gigawords): bytes sent to the guest, i.e. download. */
  bytesDown: bigint | null;
  terminateCause: number | null;
  delaySeconds: number | null;
  eventTimestamp: Date | null;
  receivedAt: Date;
  /** Entitlement named by the Class we issued in Access-Accept, echoed by the router. */
  entitlementHint: number | null;
  /** Every decoded attribute, stored as received. */
  attributes: Record<string, unknown>;
}

export interface AccountingWriterOptions {
  /** A device stays "online" this long after each Start/Interim (3 interim intervals). */
  onlineSeconds: number;
  maxBatch?: number;
  /** Batches written in parallel (see record()). */
  lanes?: number;
}

export interface AccountingWriter {
  /** Resolves once the event is committed; rejects if it could not be stored. */
  record(event: AccountingEvent): Promise<void>;
  /** Waits for queued writes to finish. */
  drain(): Promise<void>;
}

const RECORD_BATCH: Pick<pg.QueryConfig, 'name' | 'text'> = {
  name: 'netflow_record_accounting',
  text: `SELECT netflow_record_accounting($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
           $8::int[], $9::bigint[], $10::bigint[], $11::int[], $12::int[], $13::timestamptz[], $14::int[], $15::jsonb[],
           $16::text[], $17, $18)`,
};

/** When the event happened: Event-Timestamp if sent, else arrival minus the router's Acct-Delay-Time. */
export function eventTime(e: AccountingEvent): Date {
  if (e.eventTimestamp) return e.eventTimestamp;
  return new Date(e.receivedAt.getTime() - (e.delaySeconds ?? 0) * 1000);
}

/**
 * Identifies the logical event, so that a retransmission with a new Identifier or a changed
 * Acct-Delay-Time (RFC 2866 §5.2) is stored and counted once.
 */
export function dedupeKey(e: AccountingEvent): string {
  if ((e.statusType === ACCT_STATUS.accountingOn || e.statusType === ACCT_STATUS.accountingOff) && !e.eventTimestamp) {
    return `${e.routerId}|${e.statusType}|${randomUUID()}`; // repeating a reboot notice is harmless
  }
  return [
    e.routerId,
    e.sessionId ?? '',
    e.statusType,
    e.sessionTime ?? '',
    e.bytesUp ?? '',
    e.bytesDown ?? '',
    e.eventTimestamp ? e.eventTimestamp.getTime() / 1000 : '',
  ].join('|');
}

function toJson(attributes: Record<string, unknown>): string {
  return JSON.stringify(attributes, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : Buffer.isBuffer(v) ? v.toString('hex') : v));
}

export function createAccountingWriter(pool: pg.Pool, options: AccountingWriterOptions): AccountingWriter {
  async function write(batch: AccountingEvent[]): Promise<void[]> {
    const col = <T>(f: (e: AccountingEvent) => T) => batch.map(f);
    await pool.query({
      ...RECORD_BATCH,
      values: [
        col((e) => e.routerId),
        col((e) => e.statusType),
        col((e) => e.sessionId),
        col((e) => e.userName),
        col((e) => e.mac),
        col((e) => e.framedIp),
        col((e) => e.nasPortId),
        col((e) => e.sessionTime),
        col((e) => e.bytesUp?.toString() ?? null),
        col((e) => e.bytesDown?.toString() ?? null),
        col((e) => e.terminateCause),
        col((e) => e.delaySeconds),
        col(eventTime),
        col((e) => e.entitlementHint),
        col((e) => toJson(e.attributes)),
        col(dedupeKey),
        new Date(),
        options.onlineSeconds,
      ],
    });
    return batch.map(() => undefined);
  }
  // Lanes: each lane writes one batch at a time, so packets of one guest (same User-Name, hence
  // same session, entitlement and device rows) stay in arrival order, while different guests'
  // packets are written in parallel. Accounting-On/Off touches all of a router's sessions, so it
  // waits until every lane is idle and goes alone.
  const lanes = Array.from({ length: options.lanes ?? 3 }, () =>
    createBatcher(write, { maxBatch: options.maxBatch ?? 500, concurrency: 1 }),
  );
  let barrier: Promise<void> = Promise.resolve();
  const drainAll = async () => void (await Promise.all(lanes.map((l) => l.drain())));
  return {
    record(event) {
      if (event.statusType === ACCT_STATUS.accountingOn || event.statusType === ACCT_STATUS.accountingOff) {
        const done = barrier.then(drainAll).then(() => lanes[0].submit(event)).then(() => undefined);
        barrier = done.catch(() => undefined);
        return done;
      }
      return barrier.then(() => lanes[laneOf(event, lanes.length)].submit(event)).then(() => undefined);
    },
    drain: async () => {
      await barrier;
      await drainAll();
    },
  };
}

function laneOf(event: AccountingEvent, count: number): number {
  const key = event.userName ?? event.sessionId ?? '';
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return Math.abs(h) % count;
}
