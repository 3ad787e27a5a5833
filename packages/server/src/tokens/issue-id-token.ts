import { acrFromAmr, type IdTokenClaims } from '@keycard/protocol';
import type { ServerContext } from '../context.js';
import type { UserRecord } from '../storage/index.js';
import { identityClaims } from './identity.js';

/** Input of {@link issueIdToken}. */
export interface IdTokenInput {
  /** The client the sign-in is for: `aud` and `azp`. */
  clientId: string;
  user: UserRecord;
  sessionId: string;
  /** When the user signed in (ms): `auth_time`. */
  authTime: number;
  /** How (RFC 8176): `['pwd']` for a password. */
  amr: string[];
  /** The scopes granted: no `openid`, no ID token. */
  scopes: readonly string[];
  /** The authorization request's `nonce` (code flow only), repeated as is. */
  nonce?: string | undefined;
}

/** What {@link issueIdToken} reads. */
export type IssueIdTokenDeps = Pick<ServerContext, 'config' | 'issuer' | 'keys' | 'clock'>;

/**
 * Signs an OpenID Connect ID token (Core §2, §3.1.3.6) with the current key — header `typ: JWT`,
 * so no verifier of access tokens (`at+jwt`) accepts it — when `openid` was granted; else
 * undefined. Claims: iss, sub, aud = azp = the client, exp (`tokens.idTokenTtl`), iat, auth_time,
 * sid, amr, acr (from amr), and the identity claims the scopes allow. Never an access token's scope, roles or cnf.
 *
 * @example
 * ```ts
 * const idToken = await issueIdToken(ctx, { clientId, user, sessionId, authTime, amr: ['pwd'], scopes });
 * ```
 */
export async function issueIdToken(ctx: IssueIdTokenDeps, input: IdTokenInput): Promise<string | undefined> {
  if (!input.scopes.includes('openid')) return undefined;
  const now = Math.floor(ctx.clock() / 1000);
  const claims: IdTokenClaims = {
    iss: ctx.issuer,
    sub: input.user.id,
    aud: input.clientId,
    azp: input.clientId,
    exp: now + ctx.config.tokens.idTokenTtl,
    iat: now,
    auth_time: Math.floor(input.authTime / 1000),
    sid: input.sessionId,
    amr: [...input.amr],
    acr: acrFromAmr(input.amr),
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    ...identityClaims(input.user, input.scopes),
  };
  const { token } = await ctx.keys.sign({ ...claims }, { typ: 'JWT' });
  return token;
}
