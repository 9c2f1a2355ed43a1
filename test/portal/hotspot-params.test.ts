// The hotspot → portal parameters (src/portal/hotspot-params.ts), which the server (the portal
// page's CSP, the API) and the page both read with the same rules.
import { describe, expect, it } from 'vitest';
import { hotspotLoginUrl, isIpAddress, readHotspotParams } from '../../src/portal/hotspot-params.js';

const read = (q: string) => {
  const sp = new URLSearchParams(q);
  return readHotspotParams((n) => sp.get(n));
};

describe('hotspot parameters', () => {
  it('reads what login.html forwards, as RouterOS fills it', () => {
    const { params, problems } = read(
      'router=cafe&mac=aa-bb-cc-00-11-22&ip=10.5.50.7&linkLoginOnly=' +
        encodeURIComponent('http://10.5.50.1/login') +
        '&linkOrig=' +
        encodeURIComponent('http://example.com/') +
        '&chapId=1F&chapChallenge=00112233445566778899AABBCCDDEEFF&identity=Cafe%20AP&error=',
    );
    expect(problems).toEqual([]);
    expect(params).toEqual({
      router: 'cafe',
      mac: 'AA:BB:CC:00:11:22',
      ip: '10.5.50.7',
      linkLoginOnly: 'http://10.5.50.1/login',
      linkOrig: 'http://example.com/',
      chapId: '1f',
      chapChallenge: '00112233445566778899aabbccddeeff',
      identity: 'Cafe AP',
      error: '',
      view: '',
    });
  });

  it('a bad value is dropped and named; the good ones stay', () => {
    const { params, problems } = read(
      `router=cafe&mac=zz&ip=10.5.50.300&linkOrig=${encodeURIComponent('javascript:alert(1)')}&chapId=1f&error=a%00b&view=admin`,
    );
    expect(problems.sort()).toEqual(['chapChallenge', 'error', 'ip', 'linkOrig', 'mac', 'view']);
    expect(params).toMatchObject({ router: 'cafe', mac: '', ip: '', linkOrig: '', chapId: '', chapChallenge: '', error: '', view: '' });
  });

  it('the router is required', () => {
    expect(read('mac=AA:BB:CC:00:11:22').problems).toEqual(['router']);
  });

  it.each([
    ['http://10.5.50.1/login', true],
    ['https://hotspot.cafe.example/login?x=1', true],
    ['http://[fe80::1]:8080/login', true],
    ['http://10.5.50.1/', false],
    ['http://u:p@10.5.50.1/login', false],
    ['data:text/html,x/login', false],
    ['//10.5.50.1/login', false],
  ])('hotspot login URL %s: %s', (url, ok) => {
    expect(hotspotLoginUrl(url) !== null).toBe(ok);
  });

  it.each([
    ['10.0.0.1', true],
    ['255.255.255.255', true],
    ['256.1.1.1', false],
    ['2001:db8::1', true],
    ['::ffff:10.0.0.1', true],
    ['2001:db8::g', false],
    ['abc', false],
  ])('address %s: %s', (ip, ok) => {
    expect(isIpAddress(ip)).toBe(ok);
  });
});
