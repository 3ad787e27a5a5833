import { decodeJWT, type JWSHeader, type JWTClaims, verifyJWS } from '@keycard/jwt';
import { ID_TOKEN_TYP } from '@keycard/protocol';
import type { ServerContext } from '../context.js';

/** What a verified `id_token_hint` says: who, for which client(s), from which browser session. */
export interface IdTokenHint {
  sub: string;
  /** The token's `aud` as a list: the client(s) it was issued to. */
  audiences: string[];
  /** The browser session it came from (code flow), or the sign-in session (password grant). */
  sid: string | undefined;
}

/** What {@link verifyIdTokenHint} reads. */
export type VerifyIdTokenHintDeps = Pick<ServerContext, 'keys' | 'issuer'>;

/** Longest hint looked at (an ID token is well under this). */
export const MAX_ID_TOKEN_HINT_LENGTH = 8192;

/**
 * Verifies an `id_token_hint` (RP-Initiated Logout 1.0 §2): an ID token this server signed — one
 * of its published keys, chosen by `kid`, whose algorithm the header must name; header `typ: JWT`
 * (so an access token or a logout token never passes); `iss` this issuer; a `sub` and an `aud`.
 * An expired one is accepted, as the specification asks: the user may come back to sign out long
 * after the ID token lapsed (until its key leaves the JWKS). Anything else: undefined.
 *
 * @example
 * ```ts
 * const hint = await verifyIdTokenHint(ctx, idTokenHint);
 * if (hint === undefined || !hint.audiences.includes(clientId)) refuse();
 * ```
 */
export async function verifyIdTokenHint(
  ctx: VerifyIdTokenHintDeps,
  token: string,
): Promise<IdTokenHint | undefined> {
  if (token.length > MAX_ID_TOKEN_HINT_LENGTH) return undefined;
  let header: JWSHeader;
  let payload: JWTClaims;
  try {
    ({ header, payload } = decodeJWT(token));
  } catch {
    return undefined;
  }
  if (typeof header.typ !== 'string' || normalizedTyp(header.typ) !== ID_TOKEN_TYP.toLowerCase()) {
    return undefined;
  }
  const key = (await ctx.keys.verificationKeys()).find((k) => k.kid === header.kid);
  if (key === undefined) return undefined;
  try {
    verifyJWS(token, key);
  } catch {
    return undefined;
  }
  if (payload.iss !== ctx.issuer || typeof payload.sub !== 'string' || payload.sub === '') return undefined;
  const audiences = typeof payload.aud === 'string' ? [payload.aud] : payload.aud;
  if (!Array.isArray(audiences) || audiences.length === 0) return undefined;
  if (!audiences.every((a): a is string => typeof a === 'string' && a !== '')) return undefined;
  const sid = typeof payload['sid'] === 'string' ? payload['sid'] : undefined;
  return { sub: payload.sub, audiences, sid };
}

/** RFC 7515 §4.1.9: media types are case-insensitive and `application/` may be left out. */
function normalizedTyp(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}
