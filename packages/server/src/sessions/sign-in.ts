import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { passwordOnly } from '../mfa/amr.js';
import { assessSignIn, type RequirementDeps } from '../mfa/requirement.js';
import {
  type SecondFactorProof,
  type VerifySecondFactorDeps,
  verifySecondFactor,
  withSecondFactor,
} from '../mfa/second-factor.js';
import type { ClientRecord } from '../storage/index.js';
import {
  type GrantedScopesDeps,
  grantedScopes,
  type IssueAccessTokenDeps,
  type IssueIdTokenDeps,
  issueAccessToken,
  issueIdToken,
  type NamedAudiencesDeps,
  namedAudiences,
  pickCardAudiences,
  type ScopesForDeps,
  scopesFor,
  type TargetInput,
} from '../tokens/index.js';
import { type AuthenticateUserDeps, authenticateUser } from '../users/index.js';
import {
  type CreateRefreshTokenDeps,
  cardAudience,
  createRefreshToken,
  newSessionRecord,
  publicUser,
  sessionAuthentication,
  type TokenSet,
} from './token-set.js';

/** Input of {@link signIn}; the client is already authenticated. */
export interface SignInInput extends TargetInput {
  username: string;
  password: string;
  client: ClientRecord;
  scope?: string | undefined;
  /** Thumbprint of a verified DPoP proof's key: the card and the session are bound to it. */
  dpopJkt?: string | undefined;
  /**
   * A one-time code sent with the password (`/api/login`): checked after the password, and only
   * then. Without it, a person who needs a second factor is refused with ERR_MFA_REQUIRED (the
   * password grant at `/oauth/token` never sends one: such people use the code flow).
   */
  secondFactor?: Extract<SecondFactorProof, { kind: 'totp' | 'recovery_code' }> | undefined;
  request: RequestInfo;
}

/** What {@link signIn} reads: its own fields and those of the steps it runs. */
export type SignInDeps = Pick<
  ServerContext,
  'throttle' | 'metrics' | 'config' | 'storage' | 'clock' | 'audit'
> &
  NamedAudiencesDeps &
  AuthenticateUserDeps &
  GrantedScopesDeps &
  ScopesForDeps &
  CreateRefreshTokenDeps &
  IssueAccessTokenDeps &
  IssueIdTokenDeps &
  RequirementDeps &
  VerifySecondFactorDeps;

/**
 * The password grant: checks the credentials (throttled, no enumeration), then the second factor
 * when the person needs one or sent one (ERR_MFA_REQUIRED without, ERR_MFA_INVALID for a wrong
 * one: answers that only someone with the password ever sees), starts a session granted every
 * audience named (default: all the client's) that records how the person signed in (`amr`), and
 * issues a card for ONE audience (the first named; else `keycard` or the client's only audience)
 * plus the session's first refresh token. The card carries only the granted scopes its audience
 * understands.
 *
 * @example
 * ```ts
 * const tokens = await signIn(ctx, { username, password, client, resource: 'rooms', request });
 * ```
 */
export async function signIn(ctx: SignInDeps, input: SignInInput): Promise<TokenSet> {
  const { client, request } = input;
  if (!client.firstParty || !client.grants.includes('password'))
    throw new ServerError('ERR_UNAUTHORIZED_CLIENT');
  if (client.requireDpop && input.dpopJkt === undefined) throw dpopRequired();
  await ctx.throttle.hitIp('login', request.ip).catch((error: unknown) => {
    ctx.metrics.logins.inc({ result: 'throttled' });
    throw error;
  });
  // The target is checked before the password so a bad request costs no argon2 run.
  const named = await namedAudiences(ctx, client, input);
  const granted = named ?? client.audiences;
  const card = pickCardAudiences(client, granted, named, { several: 'first' });
  const user = await authenticateUser(ctx, input.username, input.password, request);
  const authTime = ctx.clock();
  let amr: string[] = passwordOnly();
  if (input.secondFactor !== undefined) {
    const { factor } = await verifySecondFactor(ctx, user, input.secondFactor, request);
    amr = withSecondFactor(amr, factor);
  } else if ((await assessSignIn(ctx, user, amr)).plan !== undefined) {
    ctx.metrics.logins.inc({ result: 'mfa_required' });
    throw new ServerError('ERR_MFA_REQUIRED');
  }
  const scopes = await grantedScopes(ctx, { client, scope: input.scope, roles: user.roles });
  const cardScopes = await scopesFor(ctx, card, scopes, { identity: true });
  const now = ctx.clock();
  const session = newSessionRecord(ctx, {
    userId: user.id,
    clientId: client.id,
    card,
    granted,
    scopes,
    request,
    dpopJkt: input.dpopJkt,
    now,
    origin: { authTime, amr },
  });
  await ctx.storage.sessions.create(session);
  const authentication = sessionAuthentication(session);
  const refreshToken = client.grants.includes('refresh_token')
    ? await createRefreshToken(ctx, session, now)
    : null;
  const access = await issueAccessToken(ctx, {
    grant: 'password',
    clientId: client.id,
    audiences: card,
    scopes: cardScopes,
    user,
    sessionId: session.id,
    dpopJkt: input.dpopJkt,
    authentication,
  });
  const idToken = await issueIdToken(ctx, {
    clientId: client.id,
    user,
    sessionId: session.id,
    authTime: authentication.authTime,
    amr: [...authentication.amr],
    scopes: cardScopes,
  });
  ctx.metrics.logins.inc({ result: 'success' });
  await ctx.audit.record('login.success', {
    actor: user.id,
    subject: session.id,
    request,
    detail: { clientId: client.id, amr, ...(input.dpopJkt !== undefined ? { dpop: true } : {}) },
  });
  return {
    accessToken: access.accessToken,
    tokenType: input.dpopJkt !== undefined ? 'DPoP' : 'Bearer',
    expiresIn: access.expiresIn,
    audience: cardAudience(card),
    refreshToken,
    scope: cardScopes.join(' '),
    sessionId: session.id,
    user: publicUser(user),
    ...(idToken !== undefined ? { idToken } : {}),
  };
}

/** A client registered with requireDpop asked without a proof. */
export function dpopRequired(): ServerError {
  return new ServerError('ERR_INVALID_DPOP_PROOF', { message: 'This client requires a DPoP proof' });
}
