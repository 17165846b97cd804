import type { RealmSigningKey } from './signing-key';
import type { DevClient } from './types';
import type { UserStore } from './user-store';

/** What the provider's parts share about the one realm it serves. */
export interface Realm {
  name: string;
  /** `${url}/realms/${name}` */
  issuer: string;
  /** `/realms/${name}` */
  path: string;
  /** The audience of every access token. */
  apiClientId: string;
  clients: ReadonlyMap<string, DevClient>;
  users: UserStore;
  signingKey: RealmSigningKey;
  accessTokenTtlSeconds: number;
  /**
   * Session ids (`sid`) of provider sessions that ended by logout. Access tokens are JWTs that
   * nobody stores, so /userinfo and /token/introspect check this list to treat the tokens of a
   * logged-out session as inactive, as Keycloak does.
   */
  endedSessions: Set<string>;
}
