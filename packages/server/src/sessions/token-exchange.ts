import type { JWTClaims } from '@keycard/jwt';
import { ACR, acrSatisfies } from '@keycard/protocol';
import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import { mfaRequiredByRoles } from '../mfa/factors.js';
import { type ClientRecord, TOKEN_EXCHANGE_GRANT, type TokenExchangeRule } from '../storage/index.js';
import {
  type ActClaim,
  type CardAuthentication,
  type IssueAccessTokenDeps,
  issueAccessToken,
  parseScope,
  type ScopesForDeps,
  scopesFor,
  type TargetInput,
  type VerifyAccessTokenDeps,
  verifyAccessToken,
} from '../tokens/index.js';
import { dpopRequired } from './sign-in.js';

/** RFC 8693 §3: the only subject token type accepted — an access token (card) of this issuer. */
export const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** Input of {@link exchangeToken}; the acting client is already authenticated (confidential). */
export interface TokenExchangeInput extends TargetInput {
  client: ClientRecord;
  subjectToken: string;
  subjectTokenType: string;
  scope?: string | undefined;
  /** Thumbprint of the exchange request's own DPoP proof: binds the new card to the acting client's key. */
  dpopJkt?: string | undefined;
  request: RequestInfo;
}

/** What {@link exchangeToken} reads: the subject card is verified, the new one issued. */
export type ExchangeTokenDeps = Pick<ServerContext, 'throttle' | 'directory' | 'storage' | 'audit'> &
  VerifyAccessTokenDeps &
  ScopesForDeps &
  IssueAccessTokenDeps;

/** What {@link exchangeToken} issues. */
export interface ExchangedToken {
  accessToken: string;
  issuedTokenType: typeof ACCESS_TOKEN_TYPE;
  tokenType: 'Bearer' | 'DPoP';
  expiresIn: number;
  scope: string;
  audience: string;
}

/**
 * RFC 8693 token exchange for calls made on a user's behalf. A service holding a user's card for
 * itself (audience `from`) gets a card for another audience (`to`) with equal or fewer scopes,
 * only by an explicit rule of the acting client; the new card keeps the user (`sub`), the session
 * (`sid`, so logout reaches it) and how they authenticated (`acr`, `amr`, `auth_time`), and names the
 * service in `act` (earlier actors nested inside).
 * Scopes ⊆ the subject card's ∩ the rule's ∩ what `to` understands; asking wider is invalid_scope.
 * The new card expires no later than the subject card, so a chain of exchanges never extends access.
 *
 * A DPoP-bound subject card is accepted: the service received it with a proof at its own door,
 * and the exchange itself is authenticated by the service's client secret. The user's key never
 * carries over; the new card is bound to the service's key when the exchange carries a proof.
 *
 * A subject card of a sign-in without a second factor (`acr` below `urn:keycard:acr:mfa`) is
 * refused with ERR_MFA_REQUIRED (`invalid_grant`) once a role of the user requires one.
 *
 * @example
 * ```ts
 * const card = await exchangeToken(ctx, { client, subjectToken, subjectTokenType: ACCESS_TOKEN_TYPE, audience: 'billing', request });
 * ```
 */
export async function exchangeToken(
  ctx: ExchangeTokenDeps,
  input: TokenExchangeInput,
): Promise<ExchangedToken> {
  const { client, request } = input;
  if (client.type !== 'confidential' || !client.grants.includes(TOKEN_EXCHANGE_GRANT))
    throw new ServerError('ERR_UNAUTHORIZED_CLIENT');
  if (client.requireDpop && input.dpopJkt === undefined) throw dpopRequired();
  if (input.subjectTokenType !== ACCESS_TOKEN_TYPE) {
    throw new ServerError('ERR_VALIDATION', {
      message: `Invalid request: subject_token_type: only ${ACCESS_TOKEN_TYPE} is supported`,
    });
  }
  await ctx.throttle.hitIp('token', request.ip);
  const target = await oneTarget(ctx, input);
  const subject = await verifySubject(ctx, input.subjectToken);
  const rule = client.tokenExchange.find((r) => r.from === subject.aud && r.to === target);
  if (rule === undefined) {
    throw new ServerError('ERR_UNAUTHORIZED_CLIENT', {
      message: 'No token-exchange rule of this client allows this exchange',
    });
  }
  const scopes = await exchangedScopes(ctx, subject.claims, rule, input.scope);
  const user = await ctx.storage.users.getById(subject.sub);
  if (user === undefined || user.disabled) throw invalidSubject();
  const authentication = subjectAuthentication(subject.claims);
  // As at refresh: once a role of the user requires a second factor, a card of a sign-in without
  // one mints nothing new (its session ends at its next refresh; the card itself lives out its minutes).
  if (!acrSatisfies(authentication?.acr, ACR.mfa) && (await mfaRequiredByRoles(ctx, user.roles)))
    throw new ServerError('ERR_MFA_REQUIRED', {
      message: 'A role of this user requires a second factor, and the subject token was issued without one',
    });
  const previous = subject.claims['act'] as ActClaim | undefined;
  const access = await issueAccessToken(ctx, {
    grant: 'token_exchange',
    clientId: client.id,
    audiences: [target],
    scopes,
    user,
    sessionId: subject.sid,
    act: { sub: client.id, ...(previous !== undefined ? { act: previous } : {}) },
    dpopJkt: input.dpopJkt,
    notAfter: typeof subject.claims.exp === 'number' ? subject.claims.exp : undefined,
    authentication,
  });
  await ctx.audit.record('token.exchange', {
    actor: client.id,
    subject: subject.sid,
    request,
    detail: { userId: user.id, from: rule.from, to: rule.to, scopes },
  });
  return {
    accessToken: access.accessToken,
    issuedTokenType: ACCESS_TOKEN_TYPE,
    tokenType: input.dpopJkt !== undefined ? 'DPoP' : 'Bearer',
    expiresIn: access.expiresIn,
    scope: scopes.join(' '),
    audience: target,
  };
}

const invalidSubject = (cause?: unknown) =>
  new ServerError('ERR_INVALID_GRANT', {
    message: 'The subject token is invalid, expired, revoked or not a user card',
    cause,
  });

/** Exactly one registered audience, named by id or resource URI. */
async function oneTarget(
  ctx: Pick<ServerContext, 'directory' | 'storage'>,
  input: TargetInput,
): Promise<string> {
  const asList = (v: string | string[] | undefined, split: boolean) =>
    v === undefined ? [] : (Array.isArray(v) ? v : split ? v.split(' ') : [v]).filter(Boolean);
  const ids = new Set<string>();
  for (const resource of asList(input.resource, false)) {
    const found =
      (await ctx.directory.audience(resource)) ?? (await ctx.storage.audiences.getByUri(resource));
    if (found === undefined) throw new ServerError('ERR_INVALID_TARGET');
    ids.add(found.id);
  }
  for (const id of asList(input.audience, true)) {
    if ((await ctx.directory.audience(id)) === undefined) throw new ServerError('ERR_INVALID_TARGET');
    ids.add(id);
  }
  if (ids.size !== 1)
    throw new ServerError('ERR_INVALID_TARGET', { message: 'Name exactly one audience to exchange for' });
  return [...ids][0] as string;
}

/** The subject card: this issuer's, valid, not revoked, a user's, for one audience. */
async function verifySubject(ctx: VerifyAccessTokenDeps, token: string) {
  let claims: JWTClaims;
  try {
    claims = await verifyAccessToken(ctx, token);
  } catch (cause) {
    throw invalidSubject(cause);
  }
  const { sub, aud } = claims;
  const sid = claims['sid'];
  if (typeof sub !== 'string' || typeof sid !== 'string' || typeof aud !== 'string') throw invalidSubject();
  return { claims, sub, sid, aud };
}

/**
 * The subject card's `acr`, `amr` and `auth_time`, kept as they are: the user authenticated once, and
 * an exchange (a service's call) proves nothing more. A subject card without all three (signed before
 * cards carried them) passes none on, which no step-up rule mistakes for a strong or recent sign-in.
 */
function subjectAuthentication(claims: JWTClaims): CardAuthentication | undefined {
  const { acr, amr, auth_time: authTime } = claims;
  if (typeof acr !== 'string' || typeof authTime !== 'number' || !Number.isSafeInteger(authTime))
    return undefined;
  if (!Array.isArray(amr) || !amr.every((m) => typeof m === 'string')) return undefined;
  return { acr, amr, authTime: authTime * 1000 };
}

/** Subject's ∩ rule's scopes, narrowed to `asked` (wider is refused) and to the target's scopes. */
async function exchangedScopes(
  ctx: ScopesForDeps,
  claims: JWTClaims,
  rule: TokenExchangeRule,
  scope: string | undefined,
): Promise<string[]> {
  const held = typeof claims['scope'] === 'string' ? claims['scope'].split(' ').filter(Boolean) : [];
  const allowed = held.filter((s) => rule.scopes.includes(s));
  const asked = parseScope(scope);
  if (asked?.some((s) => !allowed.includes(s))) {
    throw new ServerError('ERR_INVALID_SCOPE', {
      message: 'An exchanged card carries at most the subject card’s scopes the rule allows',
    });
  }
  return scopesFor(ctx, [rule.to], asked ?? allowed);
}
