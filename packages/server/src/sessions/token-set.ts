import type { RequestInfo, ServerContext } from '../context.js';
import { randomId, sha256Hex } from '../crypto/index.js';
import type { RefreshTokenRecord, SessionRecord, UserRecord } from '../storage/index.js';
import type { CardAuthentication } from '../tokens/index.js';
import { mintRefreshToken } from './refresh-token-format.js';

/** What a sign-in or refresh hands back. */
export interface TokenSet {
  accessToken: string;
  /** 'DPoP' when the card is bound to a key (`cnf.jkt`). */
  tokenType: 'Bearer' | 'DPoP';
  expiresIn: number;
  /** The card's audience (an array only for a client registered with multiAudience). */
  audience: string | string[];
  /** Null when the client may not use the refresh_token grant. */
  refreshToken: string | null;
  scope: string;
  sessionId: string;
  user: { id: string; username: string; roles: string[] };
  /** An OpenID Connect ID token, when the card's scopes include `openid`. */
  idToken?: string;
}

/** How a session's user signed in (RFC 8176) when its record does not say: a password. */
export const PASSWORD_AMR: readonly string[] = ['pwd'];

/**
 * How a session's user authenticated, as its cards state it (`acr`, `amr`, `auth_time`): the
 * session's sign-in; for a record that does not say, its creation and a password.
 */
export function sessionAuthentication(
  session: Pick<SessionRecord, 'createdAt' | 'authTime' | 'amr'>,
): CardAuthentication {
  return { authTime: session.authTime ?? session.createdAt, amr: session.amr ?? PASSWORD_AMR };
}

/** What `createRefreshToken` reads (the sealer's MAC key mints the token). */
export type CreateRefreshTokenDeps = Pick<ServerContext, 'storage' | 'config' | 'sealer'>;

/** AAD for a sealed successor: bound to the token it succeeds. */
export const successorSealContext = (hash: string) => `keycard:refresh-successor:${hash}`;

/**
 * Creates and stores a new refresh token of a session (see {@link mintRefreshToken}); returns the
 * plaintext (only ever sent to the client). Idle expiry never outlives the session.
 */
export async function createRefreshToken(
  ctx: CreateRefreshTokenDeps,
  session: { id: string; expiresAt: number },
  now: number,
  plaintext: string = mintRefreshToken(ctx, session.id),
): Promise<string> {
  await ctx.storage.refreshTokens.create(refreshTokenRecord(ctx, session, now, sha256Hex(plaintext)));
  return plaintext;
}

/** The stored record of a new refresh token (idle expiry capped by the session's). */
export function refreshTokenRecord(
  ctx: Pick<ServerContext, 'config'>,
  session: { id: string; expiresAt: number },
  now: number,
  hash: string,
): RefreshTokenRecord {
  return {
    hash,
    sessionId: session.id,
    createdAt: now,
    expiresAt: Math.min(now + ctx.config.sessions.refreshIdleTtl * 1000, session.expiresAt),
    usedAt: null,
    replacedBy: null,
    successorSealed: null,
  };
}

/** The public part of a user shown with tokens. */
export function publicUser(user: UserRecord): TokenSet['user'] {
  return { id: user.id, username: user.username, roles: user.roles };
}

/** The `aud` shape of a card: a string for one audience. */
export function cardAudience(audiences: readonly string[]): string | string[] {
  return audiences.length === 1 ? (audiences[0] as string) : [...audiences];
}

/** Input of {@link newSessionRecord}: who, for which client, what was granted, from where. */
export interface NewSessionInput {
  userId: string;
  clientId: string;
  /** The card's audiences (listed first) and every audience the session is granted. */
  card: readonly string[];
  granted: readonly string[];
  scopes: string[];
  request: RequestInfo;
  dpopJkt: string | undefined;
  now: number;
  /** Where a code-flow session came from (its browser session, auth time, amr, offline_access). */
  origin?: Pick<SessionRecord, 'browserSessionId' | 'authTime' | 'amr' | 'offline'>;
}

/**
 * A new sign-in session as the password and code grants start one: the card's audience first (a
 * refresh that names none gets a card for it again), the absolute lifetime from the config, the
 * request's address and user agent (cut to 512 characters), and the DPoP key it is bound to.
 */
export function newSessionRecord(ctx: Pick<ServerContext, 'config'>, input: NewSessionInput): SessionRecord {
  const { card, granted, request, now } = input;
  return {
    id: randomId(),
    userId: input.userId,
    clientId: input.clientId,
    audiences: [...card, ...granted.filter((a) => !card.includes(a))],
    scopes: input.scopes,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + ctx.config.sessions.absoluteTtl * 1000,
    revokedAt: null,
    revokedReason: null,
    ip: request.ip,
    userAgent: request.userAgent?.slice(0, 512) ?? null,
    dpopJkt: input.dpopJkt ?? null,
    ...input.origin,
  };
}
