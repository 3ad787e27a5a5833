import type { ServerContext } from '../context.js';
import { randomToken, sha256Hex } from '../crypto/index.js';
import type { UserRecord } from '../storage/index.js';

/** What a sign-in or refresh hands back. */
export interface TokenSet {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  /** Null when the client may not use the refresh_token grant. */
  refreshToken: string | null;
  scope: string;
  sessionId: string;
  user: { id: string; username: string; roles: string[] };
}

/** AAD for a sealed successor: bound to the token it succeeds. */
export const successorSealContext = (hash: string) => `keycard:refresh-successor:${hash}`;

/**
 * Creates and stores a new refresh token of a session; returns the plaintext (only ever sent
 * to the client). Idle expiry never outlives the session.
 */
export async function createRefreshToken(
  ctx: ServerContext,
  session: { id: string; expiresAt: number },
  now: number,
  plaintext: string = randomToken(32),
): Promise<string> {
  await ctx.storage.refreshTokens.create({
    hash: sha256Hex(plaintext),
    sessionId: session.id,
    createdAt: now,
    expiresAt: Math.min(now + ctx.config.sessions.refreshIdleTtl * 1000, session.expiresAt),
    usedAt: null,
    replacedBy: null,
    successorSealed: null,
  });
  return plaintext;
}

/** The public part of a user shown with tokens. */
export function publicUser(user: UserRecord): TokenSet['user'] {
  return { id: user.id, username: user.username, roles: user.roles };
}
