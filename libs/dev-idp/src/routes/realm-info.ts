import { createPublicKey } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http-io';
import type { Realm } from '../realm';

/** `GET /realms/<realm>`: Keycloak's public realm description (some adapters read the public key here). */
export function handleRealmInfo(realm: Realm, res: ServerResponse): void {
  const publicKey = createPublicKey({ key: { ...realm.signingKey.publicJwk }, format: 'jwk' })
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  sendJson(res, 200, {
    realm: realm.name,
    public_key: publicKey,
    'token-service': `${realm.issuer}/protocol/openid-connect`,
    'account-service': `${realm.issuer}/account`,
    'tokens-not-before': 0,
  });
}
