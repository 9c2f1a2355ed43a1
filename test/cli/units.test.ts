// The pure helpers behind the admin operations: money, addresses, secrets, data caps, statuses.
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { formatAmount, parseAmount } from '../../src/admin/money.js';
import { formatMegabytes, parseDataMb, parseRateLimit } from '../../src/admin/packages.js';
import { maskSecret, normalizeIp } from '../../src/routers/routers.js';
import { generateCode, VOUCHER_ALPHABET } from '../../src/entitlements/codes.js';
import { voucherStatus } from '../../src/entitlements/state.js';

describe('money', () => {
  it('converts amounts to minor units exactly and back', () => {
    expect(parseAmount('1000', 'TZS')).toBe(100000n);
    expect(parseAmount('0.1', 'USD')).toBe(10n);
    expect(parseAmount('19.99', 'KES')).toBe(1999n);
    expect(parseAmount('1.005', 'KWD')).toBe(1005n);
    expect(parseAmount('999999999999999', 'UGX')).toBe(999999999999999n);
    expect(formatAmount(100050n, 'TZS')).toBe('1000.50 TZS');
    expect(formatAmount(5n, 'USD')).toBe('0.05 USD');
    expect(formatAmount(5000n, 'RWF')).toBe('5000 RWF');
    expect(formatAmount(1005n, 'KWD')).toBe('1.005 KWD');
  });

  it('throws InputError naming the field', () => {
    const err = (() => {
      try {
        parseAmount('1.5', 'UGX');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err).toMatchObject({ field: 'price', message: 'price must be a whole amount: UGX has no minor unit' });
  });
});

describe('routers', () => {
  it('masks secrets so they can be told apart but not used', () => {
    expect(maskSecret('abcdefghijklmnopyz')).toBe('ab…yz');
    expect(maskSecret('short')).toBe('****');
  });

  it('normalizes addresses to the form packets arrive from', () => {
    expect(normalizeIp(' 192.168.88.1 ')).toBe('192.168.88.1');
    expect(normalizeIp('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(normalizeIp('::ffff:192.168.88.1')).toBe('192.168.88.1');
    for (const bad of ['192.168.088.1', '192.168.88', 'fe80::1%eth0', '', 'localhost'])
      expect(() => normalizeIp(bad)).toThrow('ip must be an IPv4 or IPv6 address');
  });
});

describe('packages', () => {
  it('parses rate limits and data caps', () => {
    expect(parseRateLimit('2M/5M')).toEqual({ up: '2M', down: '5M' });
    expect(parseRateLimit('512k/1000000')).toEqual({ up: '512k', down: '1000000' });
    expect(parseDataMb('500')).toBe(500_000_000n);
    expect(parseDataMb('0.000001')).toBe(1n);
    expect(formatMegabytes(1_500_000n)).toBe('1.5 MB');
    expect(formatMegabytes(2_000_000_000n)).toBe('2000 MB');
  });
});

describe('vouchers', () => {
  it('generates codes from the alphabet only', () => {
    const code = generateCode(2000);
    expect(code).toMatch(new RegExp(`^[${VOUCHER_ALPHABET}]{2000}$`));
    // Every symbol turns up: the draw covers the whole alphabet.
    expect(new Set(code).size).toBe(VOUCHER_ALPHABET.length);
    expect(generateCode(6, 'HQ')).toMatch(/^HQ.{6}$/);
  });

  it("derives the status from the code's state (the states themselves: test/aaa/code-state.test.ts)", () => {
    expect(voucherStatus('not_started')).toBe('unused');
    expect(voucherStatus('running')).toBe('in use');
    expect(voucherStatus('data_exhausted')).toBe('in use');
    expect(voucherStatus('expired')).toBe('expired');
    expect(voucherStatus('not_redeemed_in_time')).toBe('expired');
    expect(voucherStatus('revoked')).toBe('revoked');
  });
});
