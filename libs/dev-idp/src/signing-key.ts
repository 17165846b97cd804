import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type KeyInput } from 'jose';

/** The realm's signing key (RS256), in the forms its users need. */
export interface RealmSigningKey {
  privateJwk: JWK;
  publicJwk: JWK;
  kid: string;
  /** For verifying our own tokens at /userinfo and /token/introspect. */
  publicKey: KeyInput;
}

const PRIVATE_RSA_MEMBERS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/** Uses the given private RSA JWK, or makes a fresh key (its `kid` is the JWK thumbprint). */
export async function resolveSigningKey(given?: JWK): Promise<RealmSigningKey> {
  let privateJwk: JWK;
  if (given) {
    const missing = PRIVATE_RSA_MEMBERS.filter((member) => typeof given[member] !== 'string');
    if (given.kty !== 'RSA' || missing.length > 0) {
      throw new Error(
        `dev identity provider: signingKey must be a private RSA JWK${missing.length ? ` (missing ${missing.join(', ')})` : ''}`,
      );
    }
    if (!given.kid) throw new Error('dev identity provider: signingKey needs a kid');
    privateJwk = { ...given, alg: 'RS256', use: 'sig' };
  } else {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const exported = await exportJWK(privateKey);
    privateJwk = { ...exported, kid: await calculateJwkThumbprint(exported), alg: 'RS256', use: 'sig' };
  }
  const publicJwk: JWK = {
    kty: 'RSA',
    n: privateJwk.n,
    e: privateJwk.e,
    kid: privateJwk.kid,
    alg: 'RS256',
    use: 'sig',
  };
  return {
    privateJwk,
    publicJwk,
    kid: privateJwk.kid!,
    publicKey: await importJWK(publicJwk, 'RS256'),
  };
}
