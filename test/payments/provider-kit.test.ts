// The providers' shared kit (src/payments/providers/common.ts): env reading, URL checks, the token cache.
import { describe, expect, it } from 'vitest';
import {
  envReader,
  httpBaseUrl,
  ipListed,
  namesAnd,
  partlyConfigured,
  ProviderConfigError,
  refreshAtFor,
  tokenCache,
} from '../../src/payments/providers/common.js';

describe('provider kit', () => {
  it('reads trimmed variables, blanks as unset, and comma lists without blanks', () => {
    const env = envReader({ A: ' x ', B: '  ', C: '1.2.3.4, ,5.6.7.8,' });
    expect(env.get('A')).toBe('x');
    expect(env.get('B')).toBeUndefined();
    expect(env.anySet(['B', 'Z'])).toBe(false);
    expect(env.anySet(['Z', 'A'])).toBe(true);
    expect(env.firstMissing(['A', 'B', 'Z'])).toBe('B');
    expect(env.list('C')).toEqual(['1.2.3.4', '5.6.7.8']);
    expect(env.list('Z')).toBeUndefined();
  });

  it('says what a half-configured provider still needs', () => {
    const err = partlyConfigured('Selcom', 'SELCOM_VENDOR', `set ${namesAnd(['A', 'B', 'C'])} together, or none of them`);
    expect(err).toBeInstanceOf(ProviderConfigError);
    expect(err.message).toBe('Selcom is partly configured: SELCOM_VENDOR is not set (set A, B and C together, or none of them)');
  });

  it('takes http(s) base URLs only, without trailing slashes', () => {
    expect(httpBaseUrl('X_BASE_URL', 'https://api.example/v1//')).toBe('https://api.example/v1');
    expect(() => httpBaseUrl('X_BASE_URL', 'api.example')).toThrow(/X_BASE_URL must be an http\(s\) URL/);
    expect(() => httpBaseUrl('X_BASE_URL', 'ftp://api.example')).toThrow(ProviderConfigError);
  });

  it('refreshes a token early, but not before half its life', () => {
    expect(refreshAtFor('3599', 100, 60, 0)).toBe(3539_000);
    expect(refreshAtFor(80, 100, 60, 0)).toBe(40_000);
    expect(refreshAtFor('soon', 180, 30, 0)).toBe(150_000);
  });

  it('fetches one token at a time, reuses it, and forgets only the refused one', async () => {
    let fetches = 0;
    const tokens = tokenCache(async () => ({ token: `t${++fetches}`, refreshAt: Date.now() + 60_000 }));
    expect(await Promise.all([tokens.token(), tokens.token(), tokens.token()])).toEqual(['t1', 't1', 't1']);
    expect(fetches).toBe(1);
    tokens.forget('t0'); // an older token: the current one stays
    expect(await tokens.token()).toBe('t1');
    tokens.forget('t1');
    expect(await tokens.token()).toBe('t2');
  });

  it('matches callback addresses with IPv4-mapped IPv6 as IPv4', () => {
    expect(ipListed(['196.201.214.200'], '::ffff:196.201.214.200')).toBe(true);
    expect(ipListed(['196.201.214.200'], '196.201.214.201')).toBe(false);
  });
});
