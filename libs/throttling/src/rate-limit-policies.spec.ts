import { loadConfig } from '@allmende/core';
import { policyForRoute, rateLimitSettings } from './rate-limit-policies';

const base = { DATABASE_URL: 'postgres://app@127.0.0.1:5432/allmende', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('rate limit settings', () => {
  it('has limits by default, on', () => {
    const settings = rateLimitSettings(loadConfig(base));
    expect(settings.enabled).toBe(true);
    expect(settings.limits.search).toEqual({ perMember: 60, perIp: 120, windowSeconds: 60 });
    expect(settings.limits.login).toEqual({ perMember: 10, perIp: 30, windowSeconds: 300 });
  });

  it('reads <per member>/<per IP>/<seconds> and the switch', () => {
    const settings = rateLimitSettings(
      loadConfig({ ...base, RATE_LIMITS: 'off', RATE_LIMIT_UPLOADS: ' 5 / 8 / 90 ' }),
    );
    expect(settings.enabled).toBe(false);
    expect(settings.limits.uploads).toEqual({ perMember: 5, perIp: 8, windowSeconds: 90 });
  });

  it.each(['60', '60/120', '1/2/3/4', 'a/b/c', '0/10/60', '-1/10/60'])(
    'refuses %p, naming the variable',
    (value) => {
      expect(() => loadConfig({ ...base, RATE_LIMIT_SEARCH: value })).toThrow(/RATE_LIMIT_SEARCH: /);
    },
  );

  it('finds the policy of a limited route only', () => {
    expect(policyForRoute('GET', '/api/tenants/:tenant/search')).toBe('search');
    expect(policyForRoute('get', '/auth/callback')).toBe('login');
    expect(policyForRoute('POST', '/t/:tenant/g/:group/booking/:resource/requests/')).toBe('booking');
    expect(policyForRoute('GET', '/t/:tenant/g/:group/files')).toBeUndefined();
    expect(policyForRoute('GET', '/api/tenants/:tenant')).toBeUndefined();
    expect(policyForRoute('GET', undefined)).toBeUndefined();
  });
});
