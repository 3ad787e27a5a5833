import type { ServerContext } from '../context.js';
import { randomToken, safeEqual, sha256Hex } from '../crypto/index.js';

/** HKDF `info` of the refresh-token MAC key: a key of its own, never the sealing key. */
export const REFRESH_MAC_INFO = 'keycard refresh-token mac v1';

const PREFIX = 'rt1';
/** Bytes of the MAC kept in the token (128 bits). */
const MAC_BYTES = 16;
const SID = /^[A-Za-z0-9_-]{1,64}$/;
const RANDOM = /^[A-Za-z0-9_-]{43}$/;
const MAC = /^[A-Za-z0-9_-]{22}$/;

/** What minting and checking a refresh token's MAC reads. */
export type RefreshTokenMacDeps = Pick<ServerContext, 'sealer'>;
/** What {@link refreshTokenSession} reads. */
export type RefreshTokenSessionDeps = Pick<ServerContext, 'storage' | 'sealer'>;

const macOf = (ctx: RefreshTokenMacDeps, body: string) =>
  ctx.sealer.mac(body, REFRESH_MAC_INFO).subarray(0, MAC_BYTES).toString('base64url');

/**
 * A new refresh token of a session: `rt1.<sessionId>.<32 random bytes>.<mac>`, the MAC an
 * HMAC-SHA256 (first 16 bytes, base64url) of `rt1.<sessionId>.<random>` under a key derived
 * from the master key. The token names its session, so a rotated-out token whose row was pruned
 * is still recognised as this server's token of that session (reuse detection); only the server
 * can mint one, so knowing a session id (it is in every card) is not enough to forge one.
 * Stored, like every refresh token, only as its SHA-256.
 *
 * @example
 * ```ts
 * const token = mintRefreshToken(ctx, session.id);
 * ```
 */
export function mintRefreshToken(ctx: RefreshTokenMacDeps, sessionId: string): string {
  if (!SID.test(sessionId)) throw new Error('a session id must be base64url, 1-64 characters');
  const body = `${PREFIX}.${sessionId}.${randomToken(32)}`;
  return `${body}.${macOf(ctx, body)}`;
}

/**
 * The session a refresh token was minted for, when it has the `rt1` format and a valid MAC
 * (compared in constant time); undefined for anything else (an older opaque token, a forgery).
 * Says nothing about whether the token is current, used or expired: only its row says that.
 *
 * @example
 * ```ts
 * const sid = mintedSessionId(ctx, presented); // e.g. 'k3Jx…' or undefined
 * ```
 */
export function mintedSessionId(ctx: RefreshTokenMacDeps, token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 4) return undefined;
  const [prefix, sid, random, mac] = parts as [string, string, string, string];
  if (prefix !== PREFIX || !SID.test(sid) || !RANDOM.test(random) || !MAC.test(mac)) return undefined;
  // The canonical encoding only: a variant spelling of a current token's MAC (base64url's unused
  // low bits) must not pass as "one of ours, not current" and revoke the session.
  return safeEqual(macOf(ctx, `${prefix}.${sid}.${random}`), mac) ? sid : undefined;
}

/**
 * The session a presented refresh token belongs to: its row's, else (row rotated out and
 * pruned) the one its MAC vouches for. For sign-out and RFC 7009 revocation.
 *
 * @example
 * ```ts
 * const sid = await refreshTokenSession(ctx, token);
 * ```
 */
export async function refreshTokenSession(
  ctx: RefreshTokenSessionDeps,
  token: string,
): Promise<string | undefined> {
  const record = await ctx.storage.refreshTokens.get(sha256Hex(token));
  return record?.sessionId ?? mintedSessionId(ctx, token);
}
