import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** The mailing lists a member can leave with one click. */
export const UNSUBSCRIBE_LISTS = ['digest', 'alerts'] as const;
export type UnsubscribeList = (typeof UNSUBSCRIBE_LISTS)[number];

export interface UnsubscribeClaim {
  tenantId: string;
  memberId: string;
  list: UnsubscribeList;
}

const VERSION = 1;
/** version, list, tenant id, member id (UUIDs as their 16 bytes). */
const PAYLOAD_BYTES = 1 + 1 + 16 + 16;
/** HMAC-SHA256 truncated to 128 bits: unforgeable, and the link stays short. */
const MAC_BYTES = 16;
/** Keeps these MACs apart from anything else the same secret might ever sign. */
const CONTEXT = Buffer.from('allmende:unsubscribe\0');
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Signed capability tokens for unsubscribe links (`/unsubscribe/<token>`): whoever holds the
 * link may switch off that one list for that one member, without signing in (RFC 8058
 * one-click). `base64url(payload).base64url(mac)`, versioned, URL-safe, ~70 characters.
 * They do not expire: a link in an old mail must keep working. Rotating the secret voids them.
 */
export class UnsubscribeTokens {
  /** A key object made once: every mail signs a token, and a raw secret would be imported again each time. */
  private readonly secret: KeyObject;

  constructor(secret: string) {
    if (typeof secret !== 'string' || secret.length < 32) {
      throw new Error('UnsubscribeTokens: the secret must have at least 32 characters');
    }
    this.secret = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(claim: UnsubscribeClaim): string {
    const list = UNSUBSCRIBE_LISTS.indexOf(claim.list);
    if (list < 0) throw new Error(`UnsubscribeTokens: unknown list "${String(claim.list)}"`);
    const payload = Buffer.concat([
      Buffer.from([VERSION, list]),
      uuidBytes(claim.tenantId, 'tenantId'),
      uuidBytes(claim.memberId, 'memberId'),
    ]);
    return `${payload.toString('base64url')}.${this.mac(payload).toString('base64url')}`;
  }

  /** The claim of a genuine token; null for anything else (forged, altered, truncated, garbage). */
  verify(token: string): UnsubscribeClaim | null {
    if (typeof token !== 'string' || token.length > 200) return null;
    const parts = token.split('.');
    if (parts.length !== 2 || !parts.every((part) => BASE64URL.test(part))) return null;
    const payload = Buffer.from(parts[0]!, 'base64url');
    const mac = Buffer.from(parts[1]!, 'base64url');
    if (payload.length !== PAYLOAD_BYTES || mac.length !== MAC_BYTES) return null;
    // Base64url has several spellings of the same bytes; only the canonical one is ours.
    if (payload.toString('base64url') !== parts[0] || mac.toString('base64url') !== parts[1]) return null;
    if (!timingSafeEqual(mac, this.mac(payload))) return null;
    const list = UNSUBSCRIBE_LISTS[payload[1]!];
    if (payload[0] !== VERSION || list === undefined) return null;
    return {
      tenantId: uuidString(payload.subarray(2, 18)),
      memberId: uuidString(payload.subarray(18, 34)),
      list,
    };
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(CONTEXT).update(payload).digest().subarray(0, MAC_BYTES);
  }
}

function uuidBytes(value: string, name: string): Buffer {
  if (typeof value !== 'string' || !UUID.test(value))
    throw new Error(`UnsubscribeTokens: ${name} is not a UUID`);
  return Buffer.from(value.replace(/-/g, ''), 'hex');
}

function uuidString(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
