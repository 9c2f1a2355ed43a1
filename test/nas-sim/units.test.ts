// nas-sim building blocks without a network: the manual clock, the traffic model, http-chap.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { browserChapResponse, chapPasswordFromPost, octalEscape } from '../../tools/nas-sim/chap.js';
import { ManualClock } from '../../tools/nas-sim/clock.js';
import { formatMac } from '../../tools/nas-sim/authorization.js';
import { MD5_JS } from '../../tools/nas-sim/login-pages.js';
import { TrafficMeter } from '../../tools/nas-sim/traffic.js';
import { formatEvent } from '../../tools/nas-sim/events.js';

const hexMD5 = new Function(`${MD5_JS}; return hexMD5;`)() as (s: string) => string;

describe('ManualClock', () => {
  it('fires due timers in order, at their own time, including timers set while advancing', () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    clock.setTimer(300, () => seen.push(`b@${clock.now().getTime()}`));
    clock.setTimer(100, () => {
      seen.push(`a@${clock.now().getTime()}`);
      clock.setTimer(50, () => seen.push(`a2@${clock.now().getTime()}`));
    });
    clock.setTimer(300, () => seen.push(`c@${clock.now().getTime()}`));
    const cancel = clock.setTimer(200, () => seen.push('cancelled'));
    cancel();
    clock.advance(299);
    expect(seen).toEqual(['a@100', 'a2@150']);
    clock.advance(1);
    expect(seen).toEqual(['a@100', 'a2@150', 'b@300', 'c@300']);
    expect(clock.now().getTime()).toBe(300);
    expect(clock.pending()).toBe(0);
  });

  it('advanceAsync settles between timers', async () => {
    const clock = new ManualClock(0);
    const order: string[] = [];
    clock.setTimer(10, () => order.push('t10'));
    clock.setTimer(20, () => order.push('t20'));
    await clock.advanceAsync(30, async () => void order.push(`settle@${clock.now().getTime()}`));
    expect(order).toEqual(['settle@0', 't10', 'settle@10', 't20', 'settle@20']);
    expect(clock.now().getTime()).toBe(30);
  });
});

describe('TrafficMeter', () => {
  it('integrates bytes per second exactly, past 4 GiB, and predicts when a cap is reached', () => {
    const m = new TrafficMeter(0, { upBps: 1000, downBps: 10_000_000 });
    m.advanceTo(600_000);
    expect(m.bytesIn()).toBe(600_000n);
    expect(m.bytesOut()).toBe(6_000_000_000n);
    m.setRates(600_000, { upBps: 3, downBps: 0 });
    m.advanceTo(600_500);
    expect(m.bytesIn()).toBe(600_001n); // 1.5 bytes so far, whole bytes reported
    const t = new TrafficMeter(0, { upBps: 1000, downBps: 9000 });
    expect(t.msUntilTotal(1_000_000n)).toBe(100_000);
    expect(new TrafficMeter(0, { upBps: 0, downBps: 0 }).msUntilTotal(1n)).toBeNull();
  });
});

describe('http-chap', () => {
  it("the login page's md5.js posts what the router turns into CHAP-Password", () => {
    const chap = { id: 0xef, challenge: randomBytes(16) };
    const octalId = octalEscape(Buffer.from([chap.id]));
    const octalChallenge = octalEscape(chap.challenge);
    expect(octalId).toBe('\\357');
    // What the browser evaluates: the octal escapes become characters 0..255.
    const decode = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    const posted = hexMD5(decode(octalId) + 'pa55word' + decode(octalChallenge));
    expect(posted).toBe(browserChapResponse(chap, 'pa55word'));
    const expected = createHash('md5')
      .update(Buffer.concat([Buffer.from([chap.id]), Buffer.from('pa55word'), chap.challenge]))
      .digest();
    expect(chapPasswordFromPost(chap, posted)).toEqual(Buffer.concat([Buffer.from([chap.id]), expected]));
    expect(chapPasswordFromPost(chap, 'not-hex')).toBeNull();
  });

  it('md5.js agrees with node:crypto on arbitrary octet strings', () => {
    for (let n = 0; n < 130; n += 7) {
      const bytes = randomBytes(n);
      expect(hexMD5(String.fromCharCode(...bytes))).toBe(createHash('md5').update(bytes).digest('hex'));
    }
  });
});

describe('formatting', () => {
  it('radius-mac-format and one-line events', () => {
    expect(formatMac('aa:bb:cc:dd:ee:ff', 'XX-XX-XX-XX-XX-XX')).toBe('AA-BB-CC-DD-EE-FF');
    expect(formatMac('AA:BB:CC:DD:EE:FF', 'XXXX:XXXX:XXXX')).toBe('AABB:CCDD:EEFF');
    expect(formatEvent({ at: new Date(0), type: 'login', fields: { user: 'A B', n: 1, x: null } })).toBe(
      '1970-01-01T00:00:00.000Z login user="A B" n=1 x=-',
    );
  });
});
