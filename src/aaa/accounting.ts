// accounting: stores every Accounting-Request durably, then lets the caller answer the router.
// Group commit: packets that arrive while a write is in flight are queued and written together
// in the next single statement (one transaction, one WAL flush), so throughput grows with load
// while each packet is still on disk before its Accounting-Response. The statement is
// netflow_record_accounting, prisma/functions/accounting.sql.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { createBatcher } from './batcher.js';
import { allKeys } from './record-keys.js';
import { isConnectionFailure, storableInt4, storableInt8, storableText } from './storable.js';

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
  /** The packet's attributes exactly as received (the octets after the header). */
  attributesRaw: Buffer;
}

export interface AccountingWriterOptions {
  /** A device stays "online" this long after each Start/Interim (3 interim intervals). */
  onlineSeconds: number;
  maxBatch?: number;
}

export interface AccountingWriter {
  /** Resolves once the event is committed; rejects if it could not be stored. */
  record(event: AccountingEvent): Promise<void>;
  /** Waits for queued writes to finish. */
  drain(): Promise<void>;
}

const RECORD_BATCH: Pick<pg.QueryConfig, 'name' | 'text'> = {
  name: 'netflow_record_accounting',
  text: 'SELECT netflow_record_accounting($1::json, $2, $3, $4)',
};

/** When the event happened: Event-Timestamp if sent, else arrival minus the router's Acct-Delay-Time. */
export function eventTime(e: AccountingEvent): Date {
  if (e.eventTimestamp) return e.eventTimestamp;
  return new Date(e.receivedAt.getTime() - (e.delaySeconds ?? 0) * 1000);
}

/** Without Event-Timestamp, the event time (arrival − Acct-Delay-Time) in steps of this long. */
const EVENT_TIME_STEP_MS = 600_000;

/**
 * Identifies the logical event, so that a retransmission with a new Identifier or a changed
 * Acct-Delay-Time (RFC 2866 §5.2) is stored and counted once. Without Event-Timestamp, the event
 * time to ten minutes tells a retransmission from the same Start of a reused Acct-Session-Id days
 * later (a retransmission straddling a step is stored twice, which counts nothing twice: counters
 * are cumulative).
 */
export function dedupeKey(e: AccountingEvent): string {
  if (isRouterReset(e) && !e.eventTimestamp) {
    return `${e.routerId}|${e.statusType}|${randomUUID()}`; // repeating a reboot notice is harmless
  }
  return [
    e.routerId,
    e.sessionId ?? '',
    e.statusType,
    e.sessionTime ?? '',
    e.bytesUp ?? '',
    e.bytesDown ?? '',
    e.eventTimestamp ? e.eventTimestamp.getTime() / 1000 : `~${Math.floor(eventTime(e).getTime() / EVENT_TIME_STEP_MS)}`,
  ].join('|');
}

/** RFC 2866 §5.10 Acct-Terminate-Cause names, as accounting_sessions.terminate_cause stores them. */
const TERMINATE_CAUSES = [
  'User-Request',
  'Lost-Carrier',
  'Lost-Service',
  'Idle-Timeout',
  'Session-Timeout',
  'Admin-Reset',
  'Admin-Reboot',
  'Port-Error',
  'NAS-Error',
  'NAS-Request',
  'NAS-Reboot',
  'Port-Unneeded',
  'Port-Preempted',
  'Port-Suspended',
  'Service-Unavailable',
  'Callback',
  'User-Error',
  'Host-Request',
];

export function terminateCauseName(code: number | null): string {
  if (code === null) return 'Unknown';
  return TERMINATE_CAUSES[code - 1] ?? `Cause-${code}`;
}

/**
 * One record of the batch document netflow_record_accounting reads (prisma/functions/accounting.sql,
 * whose json_to_recordset column list declares the same keys: test/db/functions.test.ts compares it
 * with ACCOUNTING_RECORD_KEYS).
 */
export interface AccountingRecord {
  /** The record's place in the batch, from 1: the log is written in this order. */
  seq: number;
  router_id: number;
  /** Acct-Status-Type (ACCT_STATUS). */
  status_type: number;
  session_id: string | null;
  user_name: string | null;
  mac: string | null;
  framed_ip: string | null;
  nas_port_id: string | null;
  session_time: number | null;
  /** As text: JSON numbers lose precision past 2^53. */
  bytes_up: string | null;
  bytes_down: string | null;
  /** Acct-Terminate-Cause as sent, and (Stop only) its name as accounting_sessions stores it. */
  terminate_cause: number | null;
  terminate_cause_name: string | null;
  delay_seconds: number | null;
  /** When the event happened (eventTime), ms since the epoch. */
  event_ms: number;
  /** The entitlement our Class names. */
  entitlement_hint: number | null;
  /** The packet's attributes as received, base64. */
  attributes: string;
  dedupe_key: string;
}
export const ACCOUNTING_RECORD_KEYS = allKeys<AccountingRecord>()([
  'seq',
  'router_id',
  'status_type',
  'session_id',
  'user_name',
  'mac',
  'framed_ip',
  'nas_port_id',
  'session_time',
  'bytes_up',
  'bytes_down',
  'terminate_cause',
  'terminate_cause_name',
  'delay_seconds',
  'event_ms',
  'entitlement_hint',
  'attributes',
  'dedupe_key',
]);

function batchRecord(e: AccountingEvent, seq: number): AccountingRecord {
  return {
    seq,
    router_id: e.routerId,
    status_type: e.statusType,
    session_id: e.sessionId,
    user_name: e.userName,
    mac: e.mac,
    framed_ip: e.framedIp,
    nas_port_id: e.nasPortId,
    session_time: e.sessionTime,
    bytes_up: e.bytesUp?.toString() ?? null,
    bytes_down: e.bytesDown?.toString() ?? null,
    terminate_cause: e.terminateCause,
    terminate_cause_name: e.statusType === ACCT_STATUS.stop ? terminateCauseName(e.terminateCause) : null,
    delay_seconds: e.delaySeconds,
    event_ms: eventTime(e).getTime(),
    entitlement_hint: e.entitlementHint,
    attributes: e.attributesRaw.toString('base64'),
    dedupe_key: dedupeKey(e),
  };
}

export function createAccountingWriter(pool: pg.Pool, options: AccountingWriterOptions): AccountingWriter {
  // One JSON document per batch: a single parameter, serialised natively, parsed once by the database.
  async function write(batch: AccountingEvent[]): Promise<undefined[]> {
    const routerReset = batch.some(isRouterReset);
    // record() sends it alone; were it ever batched, failing makes the batcher retry each item alone.
    if (routerReset && batch.length > 1) throw new Error('Accounting-On/Off must be written alone');
    await pool.query({ ...RECORD_BATCH, values: [JSON.stringify(batch.map(batchRecord)), new Date(), options.onlineSeconds, routerReset] });
    return batch.map(() => undefined);
  }
  // One batch in flight at a time: measured, a second connection writing in parallel lowered
  // throughput at 32 requests in flight (smaller batches, two backends on two cores shared with
  // the RADIUS side) and would let two batches update one code's usage in either order.
  // Accounting-On/Off touches all of a router's sessions, so it waits until everything before it
  // is written and goes alone; what arrives after it waits for it.
  const batcher = createBatcher(write, {
    maxBatch: options.maxBatch ?? 500,
    concurrency: 1,
    keysOf: batchKeys,
    isFatal: isConnectionFailure,
  });
  let barrier: Promise<void> = Promise.resolve();
  return {
    record(event) {
      try {
        checkStorable(event);
      } catch (err) {
        return Promise.reject(err);
      }
      if (isRouterReset(event)) {
        const done = barrier
          .then(() => batcher.drain())
          .then(() => batcher.submit(event))
          .then(() => undefined);
        barrier = done.catch(() => undefined);
        return done;
      }
      return barrier.then(() => batcher.submit(event)).then(() => undefined);
    },
    drain: async () => {
      await barrier;
      await batcher.drain();
    },
  };
}

/** Throws UnstorableValue for a value the statement's columns cannot hold (see storable.ts). */
function checkStorable(e: AccountingEvent): void {
  storableInt4('Acct-Status-Type', e.statusType);
  storableText('Acct-Session-Id', e.sessionId);
  storableText('User-Name', e.userName);
  storableText('NAS-Port-Id', e.nasPortId);
  storableInt4('Acct-Session-Time', e.sessionTime);
  storableInt8('Acct-Input-Octets', e.bytesUp);
  storableInt8('Acct-Output-Octets', e.bytesDown);
  storableInt4('Acct-Terminate-Cause', e.terminateCause);
  storableInt4('Acct-Delay-Time', e.delaySeconds);
  storableInt4('Class', e.entitlementHint);
}

/** Accounting-On/Off: the router (re)started or stopped accounting, ending all its sessions. */
function isRouterReset(e: AccountingEvent): boolean {
  return e.statusType === ACCT_STATUS.accountingOn || e.statusType === ACCT_STATUS.accountingOff;
}

/**
 * The statement applies at most one record per session and per device in a batch: a Stop and the
 * next Start of one device, or a new Start and its lost predecessor's Interim, go in arrival order
 * in consecutive batches (the device's place and the Lost-Stop rule depend on that order).
 */
function batchKeys(e: AccountingEvent): string[] {
  const session = `s|${e.routerId}|${e.sessionId ?? ''}`;
  return e.mac ? [session, `d|${e.routerId}|${e.mac}`] : [session];
}
