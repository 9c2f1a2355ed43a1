import { describe, expect, it } from 'vitest';
import { parsePhone, PhoneError } from '../../src/payments/phone.js';

describe('phone numbers', () => {
  it.each([
    ['0754 123 456', 'TZ', '255754123456', 'vodacom'],
    ['+255 754-123-456', 'TZ', '255754123456', 'vodacom'],
    ['00255754123456', 'TZ', '255754123456', 'vodacom'],
    ['754123456', 'TZ', '255754123456', 'vodacom'],
    ['(0)715 000 111', 'TZ', '255715000111', 'yas'],
    ['0655000111', 'TZ', '255655000111', 'yas'],
    ['0784000111', 'TZ', '255784000111', 'airtel'],
    ['0620000111', 'TZ', '255620000111', 'halotel'],
    ['0733000111', 'TZ', '255733000111', 'ttcl'],
    ['0712 345 678', 'KE', '254712345678', 'safaricom'],
    ['0110345678', 'KE', '254110345678', 'safaricom'],
    ['0733345678', 'KE', '254733345678', 'airtel'],
    ['0754345678', 'KE', '254754345678', 'airtel'],
    ['0100345678', 'KE', '254100345678', 'airtel'],
    ['0772345678', 'KE', '254772345678', 'telkom'],
    // The other country only when its code is written out.
    ['+254712345678', 'TZ', '254712345678', 'safaricom'],
    ['255754123456', 'KE', '255754123456', 'vodacom'],
  ] as const)('%s in %s → %s (%s)', (input, country, e164, network) => {
    const p = parsePhone(input, country);
    expect([p.e164, p.network]).toEqual([e164, network]);
    expect(p.national).toHaveLength(9);
  });

  it('never guesses the country of a local number', () => {
    // 0712… is Kenyan Safaricom, but on a Tanzanian site it is read as Tanzanian (and is valid: Yas 71x).
    expect(parsePhone('0712345678', 'TZ').e164).toBe('255712345678');
  });

  it.each([
    ['', /Enter your/],
    ['07541234', /wrong length/],
    ['07541234567', /wrong length/],
    ['0754abc456', /digits only/],
    ['0554123456', /not a Tanzanian mobile/], // 55x is not a TZ mobile range
    ['+255 254 123 456', /not a Tanzanian mobile/],
  ])('rejects %j with a clear message in English and Swahili', (input, message) => {
    let error: unknown;
    try {
      parsePhone(input, 'TZ');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PhoneError);
    expect((error as PhoneError).en).toMatch(message);
    expect((error as PhoneError).sw.length).toBeGreaterThan(10);
  });
});
