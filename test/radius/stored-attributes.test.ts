import { describe, expect, it } from 'vitest';
import { decodeStoredAttributes } from '../../src/radius/stored-attributes.js';

describe('stored attributes', () => {
  it('names the attributes of a stored record, and keeps octets the codec refuses as hex', () => {
    expect(decodeStoredAttributes(Buffer.from([40, 6, 0, 0, 0, 3]))).toEqual({ 'Acct-Status-Type': 'Interim-Update' });
    expect(decodeStoredAttributes(Buffer.from([26, 3, 0]))).toEqual({ undecodable: '1a0300' }); // a 3-octet Vendor-Specific
  });
});
