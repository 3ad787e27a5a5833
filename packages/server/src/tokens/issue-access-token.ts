import type { JWTClaims } from '@keycard/jwt';
import { acrFromAmr, fromEpochSeconds } from '@keycard/protocol';
import { API_AUDIENCE, type CustomClaimsContext, type ServerContext } from '../context.js';
import { randomId } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import type { UserRecord } from '../storage/index.js';

/** Claims custom claims may never set. */
const REGISTERED = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'client_id',
  'scope',
  'sid',
  'roles',
  'username',
  'typ',
  'cnf',
  'auth_time',
  'acr',
  'amr',
  'act',
  'may_act',
]);

/** Input of {@link issueAccessToken}. */
export interface AccessTokenInput {
  grant: CustomClaimsContext['grant'];
  clientId: string;
  audiences: string[];
  scopes: string[];
  /** The signed-in user; absent for client_credentials (sub = client id). */
  user?: UserRecord;
  sessionId?: string;
  /** Binds the card to a DPoP key: `cnf: { jkt }` (RFC 9449 §6). */
  dpopJkt?: string | undefined;
  /** RFC 8693 `act` (the acting client, earlier actors nested inside). */
  act?: ActClaim | undefined;
  /** Latest `exp` (seconds): the subject card's, for token exchange. */
  notAfter?: number | undefined;
  /**
   * How the user authenticated: the card's `acr`, `amr` and `auth_time` (RFC 9470 §6.1). Every grant
   * that starts from a session passes the session's; ignored without `user` (a client card has none).
   */
  authentication?: CardAuthentication | undefined;
}

/** How a card's user authenticated (the session's sign-in, or an exchanged card's subject card). */
export interface CardAuthentication {
  /** When the user last authenticated actively, in ms (`auth_time` is it in seconds). */
  authTime: number;
  /** RFC 8176 methods, e.g. `['pwd', 'otp', 'mfa']`. */
  amr: readonly string[];
  /** Default `acrFromAmr(amr)`; token exchange keeps its subject card's value. */
  acr?: string | undefined;
}

/** RFC 8693 §4.1 actor claim. */
export interface ActClaim {
  sub: string;
  act?: ActClaim;
}

/** What {@link issueAccessToken} reads (`revocationIndex` and `clock` to keep clear of a revocation's second). */
export type IssueAccessTokenDeps = Pick<
  ServerContext,
  'config' | 'customClaims' | 'issuer' | 'keys' | 'metrics' | 'revocationIndex' | 'clock'
>;

/** An issued access token. */
export interface IssuedAccessToken {
  accessToken: string;
  expiresIn: number;
  jti: string;
  claims: JWTClaims;
}

/**
 * Signs an RFC 9068 access token (`typ: at+jwt`) with the current key. User claims and the
 * custom-claims hook are merged in, but can never override a registered claim (`acr`, `amr` and
 * `auth_time` among them: only the sign-in decides how strongly a card's user authenticated).
 *
 * @example
 * ```ts
 * const { accessToken } = await issueAccessToken(ctx, {
 *   grant: 'password', clientId, audiences, scopes, user, sessionId,
 *   authentication: { authTime: session.createdAt, amr: ['pwd'] },
 * });
 * ```
 */
export async function issueAccessToken(
  ctx: IssueAccessTokenDeps,
  input: AccessTokenInput,
): Promise<IssuedAccessToken> {
  if (
    input.audiences.length === 0 ||
    (input.audiences.length > 1 && input.audiences.includes(API_AUDIENCE))
  ) {
    // Callers pick audiences through pickCardAudiences; this is the last line of defence.
    throw new ServerError('ERR_INVALID_TARGET');
  }
  const sub = input.user?.id ?? input.clientId;
  const now = Math.floor((await clearOfSubjectRevocation(ctx, sub, input.user?.roles ?? [])) / 1000);
  // An exchanged card never outlives the card it was exchanged for (chains cannot extend access).
  const ttl =
    input.notAfter === undefined
      ? ctx.config.tokens.accessTokenTtl
      : Math.max(0, Math.min(ctx.config.tokens.accessTokenTtl, input.notAfter - now));
  const extra: Record<string, unknown> = {};
  const merge = (source: Record<string, unknown>) => {
    for (const key in source) {
      if (Object.hasOwn(source, key) && !REGISTERED.has(key)) extra[key] = source[key];
    }
  };
  if (input.user !== undefined) merge(input.user.claims);
  if (ctx.customClaims !== undefined) {
    merge(
      await ctx.customClaims({
        grant: input.grant,
        clientId: input.clientId,
        user: input.user,
        scopes: input.scopes,
        audiences: input.audiences,
      }),
    );
  }
  const jti = randomId();
  // Built member by member (no spread of throw-away objects): this runs for every card.
  const claims: JWTClaims = {
    ...extra,
    iss: ctx.issuer,
    sub,
    aud: input.audiences.length === 1 ? input.audiences[0] : input.audiences,
    exp: now + ttl,
    iat: now,
    nbf: now,
    jti,
    client_id: input.clientId,
    scope: input.scopes.join(' '),
  };
  if (input.user !== undefined) {
    claims.sid = input.sessionId;
    claims.roles = input.user.roles;
    claims.username = input.user.username;
    if (input.authentication !== undefined) Object.assign(claims, authenticationClaims(input.authentication));
  }
  if (input.act !== undefined) claims.act = input.act;
  if (input.dpopJkt !== undefined) claims.cnf = { jkt: input.dpopJkt };
  const { token } = await ctx.keys.sign(claims);
  ctx.metrics.tokensIssued.inc({ grant: input.grant });
  return { accessToken: token, expiresIn: ttl, jti, claims };
}

/** `acr`, `amr` and `auth_time` (seconds) of a user card. */
function authenticationClaims(auth: CardAuthentication): JWTClaims {
  return {
    acr: auth.acr ?? acrFromAmr(auth.amr),
    amr: [...auth.amr],
    auth_time: Math.floor(auth.authTime / 1000),
  };
}

/**
 * `iat` has one-second precision and a subject (or role) revocation refuses every token
 * with `iat` at or before its own second, so a token minted in that same second — say the
 * refresh right after a role change — would be born revoked. Wait for the next second
 * (at most one, and only right after a revocation of this subject) and return the time.
 */
async function clearOfSubjectRevocation(
  ctx: Pick<ServerContext, 'revocationIndex' | 'clock'>,
  sub: string,
  roles: readonly string[],
): Promise<number> {
  const notBefore = await ctx.revocationIndex.subjectNotBefore(sub, roles);
  if (notBefore === undefined) return ctx.clock();
  const revokedUpTo = fromEpochSeconds(notBefore); // first ms of the first second not revoked
  // Bounded: a clock that does not move (tests) gets the token as it would have been.
  for (let i = 0; i < 3; i++) {
    const now = ctx.clock();
    if (now >= revokedUpTo) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, revokedUpTo - now + 1)));
    if (ctx.clock() === now) break;
  }
  return ctx.clock();
}
