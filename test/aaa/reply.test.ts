// The Access-Accept's Session-Timeout: what is left of the code, at least 1 s, at most the
// 21,474,720 s RouterOS takes (a larger value is not a longer session on the router).
import { describe, expect, it } from 'vitest';
import { acceptAttributes, MAX_SESSION_TIMEOUT } from '../../src/aaa/reply.js';
import type { Grant } from '../../src/aaa/types.js';

const grant = (secondsLeft: number): Grant => ({
  entitlementId: 7,
  secondsLeft,
  bytesLeft: null,
  rateUp: '1M',
  rateDown: '2M',
  idleTimeoutSeconds: null,
});
const sessionTimeout = (secondsLeft: number) => acceptAttributes(grant(secondsLeft), 300).find(([name]) => name === 'Session-Timeout')?.[1];

describe('Access-Accept Session-Timeout', () => {
  it("is the seconds left, capped at RouterOS's 21,474,720", () => {
    expect(MAX_SESSION_TIMEOUT).toBe(21_474_720);
    expect(sessionTimeout(3600)).toBe(3600);
    expect(sessionTimeout(21_474_720)).toBe(21_474_720);
    expect(sessionTimeout(21_474_721)).toBe(21_474_720);
    expect(sessionTimeout(365 * 86_400)).toBe(21_474_720);
  });

  it('is at least 1', () => {
    expect(sessionTimeout(0)).toBe(1);
    expect(sessionTimeout(-5)).toBe(1);
  });
});
