// Values the database cannot hold are refused before SQL, so they never fail a batch of others.
import { describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createAccountingWriter, type AccountingEvent } from '../../src/aaa/accounting.js';
import { createAuthorizer } from '../../src/aaa/authorize.js';
import { entitlementIdFromClass } from '../../src/aaa/reply.js';
import { isConnectionFailure, isDataException, UnstorableValue } from '../../src/aaa/storable.js';

/** Stands where the database would be: counts what would have reached it. */
function countingPool() {
  const pool = { calls: 0, query: async () => (pool.calls++, { rows: [] }) };
  return pool;
}

const event = (over: Partial<AccountingEvent>): AccountingEvent => ({
  routerId: 1,
  statusType: 3,
  sessionId: 's1',
  userName: 'CODE',
  mac: 'AA:BB:CC:DD:EE:FF',
  framedIp: null,
  nasPortId: null,
  sessionTime: 60,
  bytesUp: 1n,
  bytesDown: 1n,
  terminateCause: null,
  delaySeconds: null,
  eventTimestamp: null,
  receivedAt: new Date(),
  entitlementHint: null,
  attributesRaw: Buffer.alloc(0),
  ...over,
});

describe('values that reach SQL', () => {
  it('accounting: NUL in text, integers past int4 and octets past int8 are refused before any database call', async () => {
    const pool = countingPool();
    const writer = createAccountingWriter(pool as unknown as pg.Pool, { onlineSeconds: 900 });
    const bad: Partial<AccountingEvent>[] = [
      { sessionId: 'a\0b' },
      { userName: '\0' },
      { nasPortId: 'x\0' },
      { sessionTime: 2 ** 31 },
      { delaySeconds: 2 ** 32 - 1 },
      { terminateCause: 2 ** 31 },
      { statusType: 2 ** 31 },
      { bytesUp: 1n << 63n },
      { bytesDown: (1n << 64n) - 1n },
      { entitlementHint: 2 ** 31 },
    ];
    for (const over of bad) await expect(writer.record(event(over))).rejects.toBeInstanceOf(UnstorableValue);
    expect(pool.calls).toBe(0);
    await writer.record(event({ sessionTime: 2 ** 31 - 1, bytesUp: (1n << 63n) - 1n }));
    expect(pool.calls).toBe(1);
  });

  it('authorization: a NUL in the User-Name or the PAP password is refused before any database call', async () => {
    const pool = countingPool();
    const { authorize } = createAuthorizer(pool as unknown as pg.Pool, { holdSeconds: 120 });
    const request = { routerId: 1, mac: 'AA:BB:CC:DD:EE:FF', userNameAsMac: null, now: new Date() };
    await expect(authorize({ ...request, userName: 'A\0', credential: { kind: 'pap', password: 'x' } })).rejects.toBeInstanceOf(
      UnstorableValue,
    );
    await expect(authorize({ ...request, userName: 'A', credential: { kind: 'pap', password: 'x\0y' } })).rejects.toBeInstanceOf(
      UnstorableValue,
    );
    expect(pool.calls).toBe(0);
  });

  it('a Class naming an entitlement id past int4 is no hint at all', () => {
    expect(entitlementIdFromClass('nf:2147483647')).toBe(2147483647);
    expect(entitlementIdFromClass('nf:2147483648')).toBeNull();
    expect(entitlementIdFromClass('nf:9999999999')).toBeNull();
  });

  it('tells a data exception (the same input fails again) from a lost connection (splitting cannot help)', () => {
    expect(isDataException({ code: '22P05' })).toBe(true);
    expect(isDataException({ code: '22003' })).toBe(true);
    expect(isDataException({ code: '40P01' })).toBe(false);
    expect(isConnectionFailure(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionFailure({ code: 'ECONNREFUSED' })).toBe(true);
    expect(isConnectionFailure({ code: '08006' })).toBe(true);
    expect(isConnectionFailure({ code: '57P01' })).toBe(true);
    expect(isConnectionFailure({ code: '40P01' })).toBe(false);
    expect(isConnectionFailure({ code: '22P05' })).toBe(false);
  });
});
