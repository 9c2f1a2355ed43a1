import { describe, expect, it } from 'vitest';
import { plainIp } from '../../src/core/addresses.js';

describe('plainIp', () => {
  it('turns an IPv4-mapped IPv6 address into IPv4 and leaves every other address as it is', () => {
    expect(plainIp('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(plainIp('::FFFF:192.0.2.1')).toBe('192.0.2.1');
    expect(plainIp('192.0.2.1')).toBe('192.0.2.1');
    expect(plainIp('::1')).toBe('::1');
    expect(plainIp('2001:db8::1')).toBe('2001:db8::1');
    expect(plainIp('::ffff:c000:201')).toBe('::ffff:c000:201');
  });
});
