import { createHmac } from 'node:crypto';
import { UnsubscribeTokens, type UnsubscribeClaim } from './unsubscribe-tokens';

const SECRET = 'a-test-secret-of-at-least-32-characters!';
const claim: UnsubscribeClaim = {
  tenantId: '0192f0c4-7a10-7c3e-9d2b-5f1e2a3b4c5d',
  memberId: '0192f0c4-7a11-7000-8000-00000000abcd',
  list: 'digest',
};

/** Replaces one base64url character with another, keeping the token well-formed. */
function flip(text: string, index: number): string {
  const char = text[index] === 'A' ? 'B' : 'A';
  return `${text.slice(0, index)}${char}${text.slice(index + 1)}`;
}

describe('UnsubscribeTokens', () => {
  const tokens = new UnsubscribeTokens(SECRET);

  it('refuses a short secret', () => {
    expect(() => new UnsubscribeTokens('too-short')).toThrow('at least 32 characters');
    expect(() => new UnsubscribeTokens('x'.repeat(31))).toThrow('at least 32 characters');
    expect(() => new UnsubscribeTokens('x'.repeat(32))).not.toThrow();
  });

  it('round-trips both lists, URL-safe and compact', () => {
    for (const list of ['digest', 'alerts'] as const) {
      const token = tokens.sign({ ...claim, list });
      expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(encodeURIComponent(token)).toBe(token);
      expect(token.length).toBeLessThanOrEqual(70);
      expect(tokens.verify(token)).toEqual({ ...claim, list });
    }
    // Different members and lists get different tokens.
    expect(tokens.sign(claim)).not.toBe(tokens.sign({ ...claim, list: 'alerts' }));
    expect(tokens.sign(claim)).not.toBe(tokens.sign({ ...claim, memberId: claim.tenantId }));
  });

  it('accepts upper-case UUIDs and gives them back in canonical form', () => {
    const token = tokens.sign({ ...claim, memberId: claim.memberId.toUpperCase() });
    expect(tokens.verify(token)?.memberId).toBe(claim.memberId);
  });

  it('refuses a token with an altered payload or MAC', () => {
    const token = tokens.sign(claim);
    const [payload, mac] = token.split('.') as [string, string];
    for (let index = 0; index < payload.length; index++) {
      expect(tokens.verify(`${flip(payload, index)}.${mac}`)).toBeNull();
    }
    for (let index = 0; index < mac.length; index++) {
      expect(tokens.verify(`${payload}.${flip(mac, index)}`)).toBeNull();
    }
    // Another member's payload with this member's MAC.
    const other = tokens.sign({ ...claim, memberId: '0192f0c4-7a11-7000-8000-00000000ffff' }).split('.')[0];
    expect(tokens.verify(`${other}.${mac}`)).toBeNull();
  });

  it('refuses a token signed with another secret', () => {
    const foreign = new UnsubscribeTokens('another-secret-of-at-least-32-characters');
    expect(tokens.verify(foreign.sign(claim))).toBeNull();
  });

  it.each([
    ['empty', ''],
    ['a lone dot', '.'],
    ['no dot', 'abc'],
    ['short parts', 'abc.def'],
    ['three parts', 'a.b.c'],
    ['not base64url', '!!!.???'],
    ['overlong', 'x'.repeat(500)],
    ['zeros of the right length', `${'A'.repeat(46)}.${'A'.repeat(22)}`],
  ])('refuses garbage: %s', (_what, garbage) => {
    expect(tokens.verify(garbage)).toBeNull();
  });

  it('refuses a correctly signed payload with an unknown list or version', () => {
    const forge = (version: number, list: number) => {
      const payload = Buffer.concat([
        Buffer.from([version, list]),
        Buffer.from(claim.tenantId.replace(/-/g, ''), 'hex'),
        Buffer.from(claim.memberId.replace(/-/g, ''), 'hex'),
      ]);
      const mac = createHmac('sha256', SECRET)
        .update('allmende:unsubscribe\0')
        .update(payload)
        .digest()
        .subarray(0, 16);
      return `${payload.toString('base64url')}.${mac.toString('base64url')}`;
    };
    // The forger knows the secret here: this checks the payload checks, not the MAC.
    expect(tokens.verify(forge(1, 0))).toEqual(claim);
    expect(tokens.verify(forge(1, 2))).toBeNull();
    expect(tokens.verify(forge(2, 0))).toBeNull();
  });

  it('refuses to sign an unknown list or a non-UUID', () => {
    expect(() => tokens.sign({ ...claim, list: 'news' as never })).toThrow('unknown list "news"');
    expect(() => tokens.sign({ ...claim, memberId: 'not-a-uuid' })).toThrow('memberId is not a UUID');
  });
});
