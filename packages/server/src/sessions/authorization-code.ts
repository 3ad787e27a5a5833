import { consentCovers } from '../authorize/grant.js';
import { isCodeVerifier, verifyS256 } from '../authorize/pkce.js';
import type { RequestInfo, ServerContext } from '../context.js';
import { sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import type { AuthorizationCodeRecord, ClientRecord, SessionRecord, UserRecord } from '../storage/index.js';
import {
  type GrantedScopesDeps,
  grantedScopes,
  type IssueAccessTokenDeps,
  type IssueIdTokenDeps,
  issueAccessToken,
  issueIdToken,
  type NamedAudiencesDeps,
  namedAudiences,
  OFFLINE_ACCESS,
  pickCardAudiences,
  type ScopesForDeps,
  scopesFor,
  type TargetInput,
} from '../tokens/index.js';
import { type RevokeSessionDeps, revokeSession } from './revoke-session.js';
import { dpopRequired } from './sign-in.js';
import {
  type CreateRefreshTokenDeps,
  cardAudience,
  createRefreshToken,
  newSessionRecord,
  publicUser,
  sessionAuthentication,
  type TokenSet,
} from './token-set.js';

/** Input of {@link exchangeAuthorizationCode}; the client is already authenticated. */
export interface AuthorizationCodeInput extends TargetInput {
  /** The code from the authorization response. */
  code: string;
  /** The token request's `redirect_uri`: exactly the authorization request's. */
  redirectUri: string;
  /** The PKCE `code_verifier` (RFC 7636 §4.5). */
  codeVerifier: string;
  client: ClientRecord;
  /** Thumbprint of a verified DPoP proof's key: the card and the session are bound to it. */
  dpopJkt?: string | undefined;
  request: RequestInfo;
}

/** What {@link exchangeAuthorizationCode} reads: its own fields and those of the steps it runs. */
export type ExchangeAuthorizationCodeDeps = Pick<
  ServerContext,
  'throttle' | 'storage' | 'clock' | 'config' | 'audit' | 'logger'
> &
  NamedAudiencesDeps &
  GrantedScopesDeps &
  ScopesForDeps &
  CreateRefreshTokenDeps &
  IssueAccessTokenDeps &
  IssueIdTokenDeps &
  RevokeSessionDeps;

/** Every refusal of the code: one answer whatever failed (the reason stays in `cause`). */
const invalidCode = (reason: string) =>
  new ServerError('ERR_INVALID_GRANT', {
    message: 'The authorization code is invalid, expired, already used or not for this request',
    cause: new Error(reason),
  });

/**
 * The authorization_code grant (RFC 6749 §4.1.3, RFC 7636 §4.6, OpenID Connect Core §3.1.3). The
 * code is used atomically, then it must be this client's, for this exact `redirect_uri`, proved
 * by the PKCE verifier (S256), by a DPoP proof of its `dpop_jkt` key when it has one, for a user
 * that still exists and a browser session that has not ended, and (a client that is not
 * first-party) with the person's consent still covering the grant — both read again once the
 * session exists, so a sign-out or a consent revocation racing the exchange revokes it — every
 * failure the same `invalid_grant`. A code used a second time is refused and the session its first use created is
 * revoked (RFC 6749 §4.1.2), cards included (revocation feed). The session remembers the browser
 * session, auth time and methods, and whether `offline_access` was granted; the card is for ONE
 * audience of the code's grant (the one named by `resource`/`audience`, else its first); a
 * refresh token comes when the client has the refresh_token grant; an ID token (with the
 * request's `nonce`, `sid` = the browser session) when `openid` was granted.
 *
 * @example
 * ```ts
 * const tokens = await exchangeAuthorizationCode(ctx, { code, redirectUri, codeVerifier, client, request });
 * ```
 */
export async function exchangeAuthorizationCode(
  ctx: ExchangeAuthorizationCodeDeps,
  input: AuthorizationCodeInput,
): Promise<TokenSet> {
  const { client, request } = input;
  if (!client.grants.includes('authorization_code')) throw new ServerError('ERR_UNAUTHORIZED_CLIENT');
  if (client.requireDpop && input.dpopJkt === undefined) throw dpopRequired();
  if (!isCodeVerifier(input.codeVerifier)) {
    throw new ServerError('ERR_VALIDATION', {
      message: 'Invalid request: code_verifier: 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636)',
    });
  }
  await ctx.throttle.hitIp('token', request.ip);
  // Checked before the code is used: a malformed request must not cost the client its code.
  const named = await namedAudiences(ctx, client, input);
  const hash = sha256Hex(input.code);
  const now = ctx.clock();
  const used = await ctx.storage.authorizationCodes.consume(hash, now);
  if (used.status === 'replayed') return replayed(ctx, used.record, client, request);
  if (used.status !== 'ok') throw invalidCode(`code ${used.status}`);
  const record = used.record;
  const user = await checkCode(ctx, record, input);

  // The grant as the client may still have it: an audience or scope taken from the client (or a
  // scope from the user's roles) since the authorization is not granted by its code.
  const granted = record.audiences.filter((a) => client.audiences.includes(a));
  const card = pickCardAudiences(client, granted, named, { several: 'refuse', firstByDefault: true });
  const scopes = await grantedScopes(ctx, { client, scope: record.scopes.join(' '), roles: user.roles });
  const session = newSessionRecord(ctx, {
    userId: user.id,
    clientId: client.id,
    card,
    granted,
    scopes,
    request,
    dpopJkt: input.dpopJkt,
    now,
    origin: {
      browserSessionId: record.sid,
      authTime: record.authTime,
      amr: [...record.amr],
      offline: scopes.includes(OFFLINE_ACCESS),
    },
  });
  await ctx.storage.sessions.create(session);
  // A replay that came between our consume and now found no session to revoke: we revoke it.
  const issued = await ctx.storage.authorizationCodes.markIssued(hash, session.id);
  if (issued !== 'ok') {
    const reason = issued === 'replayed' ? 'code_replayed' : 'code_deleted';
    await revokeSession(ctx, session.id, reason, { actor: null, request });
    throw invalidCode(`code ${issued} during the exchange`);
  }
  // A sign-out or a consent revocation between the checks above and the session's creation found
  // no session to revoke; now that it exists, either finds it or is seen here.
  const withdrawn = await grantWithdrawn(ctx, record, client, session);
  if (withdrawn !== undefined) {
    await revokeSession(ctx, session.id, withdrawn, { actor: null, request });
    throw invalidCode(`${withdrawn} during the exchange`);
  }
  const refreshToken = client.grants.includes('refresh_token')
    ? await createRefreshToken(ctx, session, now)
    : null;
  return issueTokens(ctx, { record, user, session, card, refreshToken, input });
}

/** The checks of a code this call has just used; the user it was issued for. */
async function checkCode(
  ctx: Pick<ServerContext, 'storage'>,
  record: AuthorizationCodeRecord,
  input: AuthorizationCodeInput,
): Promise<UserRecord> {
  if (record.clientId !== input.client.id) throw invalidCode('issued to another client');
  if (record.redirectUri !== input.redirectUri) throw invalidCode('another redirect_uri');
  if (!verifyS256(input.codeVerifier, record.codeChallenge)) throw invalidCode('PKCE verifier mismatch');
  // RFC 9449 §10: a code bound at the authorization request goes only with a proof of that key.
  if (record.dpopJkt !== null && record.dpopJkt !== input.dpopJkt) throw invalidCode('dpop_jkt mismatch');
  const withdrawn = await grantWithdrawn(ctx, record, input.client, record);
  if (withdrawn !== undefined) throw invalidCode(withdrawn);
  const user = await ctx.storage.users.getById(record.userId);
  if (user === undefined || user.disabled) throw invalidCode('user deleted or disabled');
  return user;
}

/**
 * Why a code's grant no longer stands — read before the exchange (the code's own grant) and again
 * once its session is stored: its browser session has ended (signed out), or — for a client that
 * is not first-party — the person's consent is gone or no longer covers the scopes and audiences.
 * Undefined when it stands.
 */
async function grantWithdrawn(
  ctx: Pick<ServerContext, 'storage'>,
  record: AuthorizationCodeRecord,
  client: ClientRecord,
  grant: Pick<SessionRecord, 'userId' | 'scopes' | 'audiences'>,
): Promise<'browser_session_ended' | 'consent_revoked' | undefined> {
  const browser = await ctx.storage.browserSessions.get(record.sid);
  if (browser === undefined || browser.endedAt !== null || browser.userId !== record.userId)
    return 'browser_session_ended';
  if (client.firstParty) return undefined;
  const consent = await ctx.storage.consents.get(grant.userId, client.id);
  return consentCovers(consent, grant) ? undefined : 'consent_revoked';
}

/** The card, ID token and audit record of a successful exchange. */
async function issueTokens(
  ctx: ScopesForDeps & IssueAccessTokenDeps & IssueIdTokenDeps & Pick<ServerContext, 'audit'>,
  parts: {
    record: AuthorizationCodeRecord;
    user: UserRecord;
    session: SessionRecord;
    card: string[];
    refreshToken: string | null;
    input: AuthorizationCodeInput;
  },
): Promise<TokenSet> {
  const { record, user, session, card, input } = parts;
  const cardScopes = await scopesFor(ctx, card, session.scopes, { identity: true });
  const access = await issueAccessToken(ctx, {
    grant: 'authorization_code',
    clientId: session.clientId,
    audiences: card,
    scopes: cardScopes,
    user,
    sessionId: session.id,
    dpopJkt: input.dpopJkt,
    authentication: sessionAuthentication(session),
  });
  // OpenID Connect Core §2: the browser session's sign-in, and the authorization request's nonce.
  const idToken = await issueIdToken(ctx, {
    clientId: session.clientId,
    user,
    sessionId: record.sid,
    authTime: record.authTime,
    amr: [...record.amr],
    scopes: cardScopes,
    nonce: record.nonce ?? undefined,
  });
  await ctx.audit.record('token.code', {
    actor: user.id,
    subject: session.id,
    request: input.request,
    detail: {
      clientId: session.clientId,
      audience: cardAudience(card),
      ...(input.dpopJkt !== undefined ? { dpop: true } : {}),
      ...(session.offline === true ? { offline: true } : {}),
    },
  });
  return {
    accessToken: access.accessToken,
    tokenType: input.dpopJkt !== undefined ? 'DPoP' : 'Bearer',
    expiresIn: access.expiresIn,
    audience: cardAudience(card),
    refreshToken: parts.refreshToken,
    scope: cardScopes.join(' '),
    sessionId: session.id,
    user: publicUser(user),
    ...(idToken !== undefined ? { idToken } : {}),
  };
}

/** A code used before: audited, what its first use issued is revoked, and the answer is the same. */
async function replayed(
  ctx: Pick<ServerContext, 'logger' | 'audit'> & RevokeSessionDeps,
  record: AuthorizationCodeRecord,
  client: ClientRecord,
  request: RequestInfo,
): Promise<never> {
  const sid = record.issuedSessionId;
  ctx.logger.warn({ clientId: record.clientId, sid }, 'authorization code replayed: its session is revoked');
  await ctx.audit.record('code.replayed', {
    actor: client.id,
    subject: sid,
    request,
    detail: { clientId: record.clientId, userId: record.userId },
  });
  if (sid !== null) await revokeSession(ctx, sid, 'code_replayed', { actor: null, request });
  throw invalidCode('code replayed');
}
