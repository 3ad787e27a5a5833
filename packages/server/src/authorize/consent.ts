import type { RequestInfo, ServerContext } from '../context.js';
import { ServerError } from '../errors.js';
import type { SignedIn } from './decide.js';
import { decide } from './decide.js';
import { issueAuthorizationCode } from './issue-code.js';
import type { LoadedInteraction, PagesDeps } from './pages.js';
import { refusalRedirect } from './refuse.js';

/** What {@link answerConsent} reads. */
export type AnswerConsentDeps = PagesDeps & Pick<ServerContext, 'audit'>;

/**
 * The person's answer on the consent page. Allow: the consent is remembered (merged with what they
 * allowed this client before, so a later `prompt=none` needs no page) and a code issued. Deny: the
 * client gets `access_denied` with its `state`. Both are audited. ERR_LOGIN_REQUIRED when the
 * request needs a newer sign-in than the browser's, ERR_MFA_REQUIRED when it needs a second factor
 * first.
 *
 * @example
 * ```ts
 * const redirect = await answerConsent(ctx, loaded, signedIn, { allow: true, requestInfo });
 * ```
 */
export async function answerConsent(
  ctx: AnswerConsentDeps,
  loaded: LoadedInteraction,
  signedIn: SignedIn,
  answer: { allow: boolean; requestInfo: RequestInfo },
): Promise<string> {
  const { interaction, client } = loaded;
  const { request } = interaction;
  const now = ctx.clock();
  const next = await decide(ctx, { interaction, client, signedIn, now });
  if (next.step === 'login') throw new ServerError('ERR_LOGIN_REQUIRED');
  // The page asked before the session was strong enough for this request: the factor comes first.
  if (next.step === 'mfa') throw new ServerError('ERR_MFA_REQUIRED');
  const audit = {
    actor: signedIn.user.id,
    subject: client.id,
    request: answer.requestInfo,
    detail: { clientId: client.id, scopes: next.grant.scopes, audiences: next.grant.audiences },
  };
  if (!answer.allow) {
    await ctx.audit.record('consent.denied', audit);
    return refusalRedirect(ctx, request, 'access_denied', 'the person did not allow the request');
  }
  // A first-party client is never asked, so there is nothing to remember for it.
  if (!client.firstParty) {
    await ctx.storage.consents.put(
      {
        userId: signedIn.user.id,
        clientId: client.id,
        scopes: next.grant.scopes,
        audiences: next.grant.audiences,
        createdAt: now,
        updatedAt: now,
      },
      { mode: 'merge' },
    );
  }
  await ctx.audit.record('consent.granted', audit);
  return issueAuthorizationCode(ctx, {
    request,
    signedIn,
    grant: next.grant,
    requestInfo: answer.requestInfo,
  });
}
