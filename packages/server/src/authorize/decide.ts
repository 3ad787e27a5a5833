import type { Acr } from '@keycard/protocol';
import type { ServerContext } from '../context.js';
import { assessSignIn, type RequirementDeps, type SecondFactorPlan } from '../mfa/requirement.js';
import type { BrowserSessionRecord, ClientRecord, UserRecord } from '../storage/index.js';
import { type AuthorizationGrant, consentCovers, type GrantDeps, grantFor } from './grant.js';
import type { Interaction } from './interaction.js';

/**
 * What an authorization request still needs before a code can be issued: a sign-in (none yet, or
 * not recent enough for `prompt=login` or `max_age`), a second factor (the browser session's acr
 * is below what the person's policy or the request's `acr_values` require), the person's consent
 * (a client not registered as first-party, asking for more than they allowed before, or
 * `prompt=consent`), or nothing.
 */

/** The person behind a live browser session: the session and its (existing, enabled) user. */
export interface SignedIn {
  session: BrowserSessionRecord;
  user: UserRecord;
}

/** The next step of an authorization request. */
export type Decision =
  | { step: 'login' }
  | { step: 'mfa'; required: Acr; plan: SecondFactorPlan }
  | { step: 'consent'; grant: AuthorizationGrant }
  | { step: 'ready'; grant: AuthorizationGrant };

/** What {@link decide} reads. */
export type DecideDeps = Pick<ServerContext, 'storage'> & GrantDeps & RequirementDeps;

/**
 * Does the request need a (new) sign-in? Yes without a browser session; with one, a sign-in made
 * for this request (at or after it arrived) always does; an older one does not for `prompt=login`
 * (OIDC Core §3.1.2.1: the person must authenticate again) nor once older than `max_age`.
 *
 * @example
 * ```ts
 * loginNeeded(interaction, signedIn, ctx.clock()); // true when prompt=login and no new sign-in
 * ```
 */
export function loginNeeded(
  interaction: Pick<Interaction, 'request' | 'createdAt'>,
  signedIn: SignedIn | undefined,
  now: number,
): boolean {
  if (signedIn === undefined) return true;
  const { authTime } = signedIn.session;
  if (authTime >= interaction.createdAt) return false;
  const { prompt, maxAgeSeconds } = interaction.request;
  if (prompt.has('login')) return true;
  return maxAgeSeconds !== undefined && now - authTime > maxAgeSeconds * 1000;
}

/**
 * The next step: sign in, prove a second factor, consent, or ready (issue the code). A first-party
 * client is never asked for consent; any other is whenever `prompt=consent` or the stored consent
 * of this user for this client does not cover every scope and audience of the grant.
 *
 * @example
 * ```ts
 * const next = await decide(ctx, { interaction, client, signedIn, now: ctx.clock() });
 * if (next.step === 'ready') redirect(await issueAuthorizationCode(ctx, { ... }));
 * ```
 */
export async function decide(
  ctx: DecideDeps,
  input: {
    interaction: Pick<Interaction, 'request' | 'createdAt' | 'audiences'>;
    client: ClientRecord;
    signedIn: SignedIn | undefined;
    now: number;
  },
): Promise<Decision> {
  const { interaction, client, signedIn } = input;
  if (signedIn === undefined || loginNeeded(interaction, signedIn, input.now)) return { step: 'login' };
  const { required, plan } = await assessSignIn(
    ctx,
    signedIn.user,
    signedIn.session.amr,
    interaction.request.acrValues,
  );
  if (plan !== undefined) return { step: 'mfa', required, plan };
  const grant = await grantFor(ctx, {
    client,
    user: signedIn.user,
    scopes: interaction.request.scopes,
    audiences: interaction.audiences,
  });
  if (client.firstParty) return { step: 'ready', grant };
  if (interaction.request.prompt.has('consent')) return { step: 'consent', grant };
  const consent = await ctx.storage.consents.get(signedIn.user.id, client.id);
  return consentCovers(consent, grant) ? { step: 'ready', grant } : { step: 'consent', grant };
}
