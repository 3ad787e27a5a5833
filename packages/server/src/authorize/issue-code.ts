import type { RequestInfo, ServerContext } from '../context.js';
import { randomToken, sha256Hex } from '../crypto/index.js';
import type { SignedIn } from './decide.js';
import type { AuthorizationGrant } from './grant.js';
import type { PendingRequest } from './interaction.js';
import { authorizationResponseUrl } from './response.js';

/** A browser session's `lastSeenAt` moves when a code is issued through it at most this often. */
const TOUCH_AFTER_MS = 60_000;

/** What {@link issueAuthorizationCode} reads. */
export type IssueCodeDeps = Pick<
  ServerContext,
  'storage' | 'clock' | 'config' | 'metrics' | 'audit' | 'issuer'
>;

/**
 * Issues a one-time authorization code (RFC 6749 §4.1.2) and returns the redirect that hands it to
 * the client, with `state` and `iss` (RFC 9207). The code is 256 random bits; only its SHA-256 is
 * stored, bound to everything the token request must match or the tokens must say: client,
 * redirect URI, PKCE challenge, user, browser session (`sid`), scopes, audiences, nonce, auth time,
 * authentication methods and the DPoP key thumbprint. It lives `authorize.codeTtl` seconds.
 *
 * @example
 * ```ts
 * const redirect = await issueAuthorizationCode(ctx, { request, signedIn, grant, requestInfo });
 * reply.redirect(redirect, 303);
 * ```
 */
export async function issueAuthorizationCode(
  ctx: IssueCodeDeps,
  input: {
    request: PendingRequest;
    signedIn: SignedIn;
    grant: AuthorizationGrant;
    requestInfo: RequestInfo;
  },
): Promise<string> {
  const { request, signedIn, grant } = input;
  const code = randomToken(32);
  const now = ctx.clock();
  await ctx.storage.authorizationCodes.create({
    codeHash: sha256Hex(code),
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    codeChallenge: request.codeChallenge,
    userId: signedIn.user.id,
    sid: signedIn.session.id,
    scopes: [...grant.scopes],
    audiences: [...grant.audiences],
    nonce: request.nonce ?? null,
    authTime: signedIn.session.authTime,
    amr: [...signedIn.session.amr],
    dpopJkt: request.dpopJkt ?? null,
    createdAt: now,
    expiresAt: now + ctx.config.authorize.codeTtl * 1000,
  });
  // lastSeenAt is for display: a write per code would cost more than it tells (as for a refresh).
  if (now - signedIn.session.lastSeenAt >= TOUCH_AFTER_MS)
    await ctx.storage.browserSessions.touch(signedIn.session.id, now);
  ctx.metrics.authorizations.inc({ result: 'code' });
  await ctx.audit.record('authorize.code', {
    actor: signedIn.user.id,
    subject: request.clientId,
    request: input.requestInfo,
    detail: { clientId: request.clientId, scopes: grant.scopes, audiences: grant.audiences },
  });
  return authorizationResponseUrl(request.redirectUri, { code }, request.state, ctx.issuer);
}
