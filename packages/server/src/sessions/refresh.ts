import { ACR, acrFromAmr, acrSatisfies } from '@keycard/protocol';
import type { RequestInfo, RevocationPublishDeps, ServerContext } from '../context.js';
import { sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import { mfaRequiredByRoles } from '../mfa/factors.js';
import { publishSessionRevocations } from '../revocations/index.js';
import type { ClientRecord, RefreshTokenRecord, SessionRecord, UserRecord } from '../storage/index.js';
import {
  type GrantedScopesDeps,
  grantedScopes,
  type IssueAccessTokenDeps,
  issueAccessToken,
  issueIdToken,
  type NamedAudiencesDeps,
  namedAudiences,
  parseScope,
  pickCardAudiences,
  type ScopesForDeps,
  scopesFor,
  type TargetInput,
} from '../tokens/index.js';
import { mintedSessionId, mintRefreshToken } from './refresh-token-format.js';
import { type RevokeSessionDeps, revokeSession } from './revoke-session.js';
import { dpopRequired } from './sign-in.js';
import {
  cardAudience,
  publicUser,
  refreshTokenRecord,
  sessionAuthentication,
  successorSealContext,
  type TokenSet,
} from './token-set.js';

/** Input of {@link refreshSession}; the client is already authenticated. */
export interface RefreshInput extends TargetInput {
  refreshToken: string;
  client: ClientRecord;
  /** Narrows the card's scopes (RFC 6749 §6); a scope the session was never granted is refused. */
  scope?: string | undefined;
  /** Thumbprint of a verified DPoP proof's key (required when the session is bound). */
  dpopJkt?: string | undefined;
  request: RequestInfo;
}

/** What the card minted by this refresh is for. */
interface CardRequest {
  audiences: string[];
  asked: string[] | undefined;
  dpopJkt: string | undefined;
}

/**
 * The refresh_token grant with rotation and reuse detection. The token is consumed atomically;
 * a duplicate presentation within the grace window (concurrent tabs, retried requests) gets the
 * same successor and a fresh card, and is audited; a rotated-out token presented after the window
 * revokes the whole session (OAuth 2.0 Security BCP §4.14) — also once its used row has been
 * pruned, when the token is in the `rt1` format (its MAC names the session: a forged one revokes
 * nothing; an older opaque token then only fails). The card is for ONE audience the
 * session was granted (the one named, else its first), scopes narrowed to that audience and to
 * `scope`. A session bound to a DPoP key refreshes only with a proof of that key — the grace
 * answer included, which also goes only to the session's own client.
 *
 * Takes the whole context: rotation, the grace answer and reuse detection between them read every
 * field but `passwords`, so a narrower type would only repeat {@link ServerContext}.
 *
 * @example
 * ```ts
 * const tokens = await refreshSession(ctx, { refreshToken, client, resource: 'rooms', request });
 * ```
 */
export async function refreshSession(ctx: ServerContext, input: RefreshInput): Promise<TokenSet> {
  const { client, request } = input;
  if (!client.grants.includes('refresh_token')) throw new ServerError('ERR_UNAUTHORIZED_CLIENT');
  if (client.requireDpop && input.dpopJkt === undefined) throw dpopRequired();
  await ctx.throttle.hitIp('token', request.ip);
  const hash = sha256Hex(input.refreshToken);
  const record = await ctx.storage.refreshTokens.get(hash);
  // No row: unknown, or one of ours rotated out and pruned (see rotatedOut).
  const sid = record?.sessionId ?? mintedSessionId(ctx, input.refreshToken);
  if (sid === undefined) throw new ServerError('ERR_INVALID_GRANT');
  const session = await ctx.storage.sessions.get(sid);
  if (session === undefined || session.revokedAt !== null || session.clientId !== client.id) {
    throw new ServerError('ERR_INVALID_GRANT');
  }
  if (session.dpopJkt !== null && session.dpopJkt !== input.dpopJkt) {
    throw new ServerError('ERR_INVALID_DPOP_PROOF', {
      message: 'This session is bound to a DPoP key: refresh with a proof of that key',
    });
  }
  // Checked before the token is consumed: a bad request must not cost the client its token.
  const card = await cardRequest(ctx, session, client, input);
  const now = ctx.clock();
  // A session past its absolute lifetime answers nothing, not even the grace window's duplicate.
  if (session.expiresAt <= now) throw new ServerError('ERR_INVALID_GRANT');
  if (record === undefined) {
    if (!rotatedOut(ctx, session, now)) throw new ServerError('ERR_INVALID_GRANT');
    return reuseDetected(ctx, session, client, request);
  }
  if (record.usedAt !== null) return presentedAgain(ctx, record, session, client, card, request);
  if (record.expiresAt <= now) throw new ServerError('ERR_INVALID_GRANT');

  const successor = mintRefreshToken(ctx, session.id);
  const successorHash = sha256Hex(successor);
  const sealed =
    ctx.config.sessions.refreshGraceSeconds > 0
      ? ctx.sealer.seal(successor, successorSealContext(hash))
      : null;
  // The successor is stored by the same atomic consume: one commit per rotation.
  const result = await ctx.storage.refreshTokens.consume(hash, now, {
    hash: successorHash,
    sealed,
    record: refreshTokenRecord(ctx, session, now, successorHash),
  });
  if (result.status === 'not_found') throw new ServerError('ERR_INVALID_GRANT');
  if (result.status === 'already_used')
    return presentedAgain(ctx, result.token, session, client, card, request);

  // lastUsedAt is for display: a write per refresh would cost more than it tells.
  if (now - session.lastUsedAt >= 60_000) await ctx.storage.sessions.touch(session.id, now);
  const tokens = await accessFor(ctx, session, client, successor, card, request);
  ctx.metrics.refreshes.inc();
  await ctx.audit.record('token.refresh', {
    actor: tokens.user.id,
    subject: session.id,
    request,
    detail: { clientId: client.id, audience: tokens.audience },
  });
  return tokens;
}

/** The card's audience and the asked scopes, validated against the session's grant. */
async function cardRequest(
  ctx: NamedAudiencesDeps,
  session: SessionRecord,
  client: ClientRecord,
  input: RefreshInput,
): Promise<CardRequest> {
  const named = await namedAudiences(ctx, client, input);
  // The session's grant as the client may still have it: an audience the admin took away from
  // the client since the sign-in gets no more cards through old sessions.
  const granted = session.audiences.filter((a) => client.audiences.includes(a));
  const audiences = pickCardAudiences(client, granted, named, {
    several: 'refuse',
    firstByDefault: true,
  });
  const asked = parseScope(input.scope);
  if (asked?.some((s) => !session.scopes.includes(s))) {
    throw new ServerError('ERR_INVALID_SCOPE', { message: 'A scope was not granted to this session' });
  }
  return { audiences, asked, dpopJkt: input.dpopJkt };
}

/**
 * Whether a token with a valid MAC for `session` (live, this client's) but no row was rotated
 * out: a used row is pruned once its grace window is over (jobs/maintenance.ts), so such a token
 * was minted for the session and replaced, i.e. it is replayed — reuse, handled as when the row
 * is there. Not so when the session has ended or gone idle: its current token has expired too (a
 * rotation touches `lastUsedAt` once it is a minute old, and a token lives `refreshIdleTtl` from
 * its rotation), and the row may simply have been pruned at its own expiry.
 */
function rotatedOut(ctx: Pick<ServerContext, 'config'>, session: SessionRecord, now: number): boolean {
  const idleUntil = session.lastUsedAt + 60_000 + ctx.config.sessions.refreshIdleTtl * 1000;
  return session.expiresAt > now && idleUntil > now;
}

/** A token that was already rotated out: the grace window's duplicate, or reuse. */
async function presentedAgain(
  ctx: ServerContext,
  record: RefreshTokenRecord,
  session: SessionRecord,
  client: ClientRecord,
  card: CardRequest,
  request: RequestInfo,
): Promise<TokenSet> {
  const now = ctx.clock();
  const graceMs = ctx.config.sessions.refreshGraceSeconds * 1000;
  if (
    graceMs > 0 &&
    record.usedAt !== null &&
    now - record.usedAt <= graceMs &&
    record.successorSealed !== null
  ) {
    // Same client and (when bound) same key were checked by the caller before we got here.
    const successor = ctx.sealer.open(record.successorSealed, successorSealContext(record.hash));
    const tokens = await accessFor(ctx, session, client, successor, card, request);
    ctx.metrics.refreshes.inc();
    await ctx.audit.record('token.refresh_grace', {
      actor: session.userId,
      subject: session.id,
      request,
      detail: { clientId: client.id, audience: tokens.audience, usedAt: record.usedAt },
    });
    return tokens;
  }
  return reuseDetected(ctx, session, client, request);
}

/** A rotated-out token presented after its grace window: the whole session is revoked. */
async function reuseDetected(
  ctx: Pick<ServerContext, 'storage' | 'clock' | 'metrics' | 'audit' | 'logger'> & RevocationPublishDeps,
  session: SessionRecord,
  client: ClientRecord,
  request: RequestInfo,
): Promise<never> {
  const now = ctx.clock();
  const revoked = await ctx.storage.sessions.revoke(session.id, now, 'reuse');
  await ctx.storage.refreshTokens.deleteBySession(session.id);
  if (revoked) {
    await publishSessionRevocations(ctx, [session.id]);
    ctx.metrics.reuseDetected.inc();
    await ctx.audit.record('token.reuse_detected', {
      actor: session.userId,
      subject: session.id,
      request,
      detail: { clientId: client.id },
    });
    ctx.logger.warn({ sid: session.id }, 'refresh token reuse detected: session revoked');
  }
  throw new ServerError('ERR_INVALID_GRANT');
}

/**
 * A fresh card for the session, scopes re-checked against the user's current roles, and the
 * session against their roles' second-factor policy ({@link assertRolesMet}).
 */
async function accessFor(
  ctx: Pick<ServerContext, 'storage' | 'directory'> &
    GrantedScopesDeps &
    ScopesForDeps &
    IssueAccessTokenDeps &
    RevokeSessionDeps,
  session: SessionRecord,
  client: ClientRecord,
  refreshToken: string,
  card: CardRequest,
  request: RequestInfo,
): Promise<TokenSet> {
  const user = await ctx.storage.users.getById(session.userId);
  if (user === undefined || user.disabled) throw new ServerError('ERR_INVALID_GRANT');
  const authentication = sessionAuthentication(session);
  await assertRolesMet(ctx, session, user, authentication.amr, request);
  const current = await grantedScopes(ctx, { client, scope: session.scopes.join(' '), roles: user.roles });
  const wanted = card.asked === undefined ? current : current.filter((s) => card.asked?.includes(s));
  const scopes = await scopesFor(ctx, card.audiences, wanted, { identity: true });
  const access = await issueAccessToken(ctx, {
    grant: 'refresh_token',
    clientId: client.id,
    audiences: card.audiences,
    scopes,
    user,
    sessionId: session.id,
    dpopJkt: card.dpopJkt,
    // The sign-in's, never the refresh's: a refresh is no authentication (RFC 9470 §6.1).
    authentication,
  });
  // OpenID Connect Core §12.2: the sign-in's sid, auth_time and amr, a fresh iat, no nonce. A
  // code-flow session signed in through a browser session: its id is the sid the client knows.
  const idToken = await issueIdToken(ctx, {
    clientId: client.id,
    user,
    sessionId: session.browserSessionId ?? session.id,
    authTime: authentication.authTime,
    amr: [...authentication.amr],
    scopes,
  });
  return {
    accessToken: access.accessToken,
    tokenType: card.dpopJkt !== undefined ? 'DPoP' : 'Bearer',
    expiresIn: access.expiresIn,
    audience: cardAudience(card.audiences),
    refreshToken,
    scope: scopes.join(' '),
    sessionId: session.id,
    user: publicUser(user),
    ...(idToken !== undefined ? { idToken } : {}),
  };
}

/**
 * A session signed in without a second factor ends at its next refresh once a role of its user
 * requires one (the role gained `requireMfa`, or the user such a role): a refresh is no sign-in,
 * and the policy must not wait for the session's absolute lifetime. It is revoked (reason
 * `mfa_required`, a `session` event on the feed, audited) and the refresh answered
 * ERR_MFA_REQUIRED (`invalid_grant`): the person signs in again, with a second factor. A factor
 * the person set up themselves changes nothing here — enrolling from the account page must not
 * sign them out.
 */
async function assertRolesMet(
  ctx: Pick<ServerContext, 'directory'> & RevokeSessionDeps,
  session: SessionRecord,
  user: UserRecord,
  amr: readonly string[],
  request: RequestInfo,
): Promise<void> {
  if (acrSatisfies(acrFromAmr(amr), ACR.mfa) || !(await mfaRequiredByRoles(ctx, user.roles))) return;
  await revokeSession(ctx, session.id, 'mfa_required', { actor: null, request });
  throw new ServerError('ERR_MFA_REQUIRED', {
    message: 'A role of this account now requires a second factor: sign in again',
  });
}
