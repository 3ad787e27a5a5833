import { AUTHORIZE_API, type AuthorizeAnswer, type AuthorizePasskeyOptions } from '@keycard/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  completeSecondFactor,
  type DeskOutcome,
  loadInteraction,
  passkeyAtDesk,
  type SignedIn,
} from '../../authorize/index.js';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import { passkeySignInOptions } from '../../mfa/passkey-sign-in.js';
import { openPending, pendingUser } from '../../mfa/pending.js';
import { pendingPurpose } from '../../mfa/pending-purpose.js';
import type { SecondFactorProof } from '../../mfa/second-factor.js';
import { answer, interaction, noStore, signedInWithCsrf } from '../authorize-pages.js';
import { browserSessionIdFrom, setBrowserSessionCookie } from '../browser-session.js';
import { parseInput, requestInfo } from '../input.js';

// Sealed tokens are checked against their exact longest length when opened; these bounds only
// keep absurd bodies out of the parser.
const mfaToken = z.string().min(1).max(2048);
const challenge = z.string().min(1).max(1024);
// The authenticator's answer: its shape and sizes are checked before the WebAuthn library reads it.
const passkeyAnswer = z.object({ challenge, response: z.unknown() });

const mfaBody = z.object({
  interaction,
  mfa_token: mfaToken.optional(),
  totp: z.string().max(16).optional(),
  recovery_code: z.string().max(64).optional(),
  passkey: passkeyAnswer.optional(),
});
const optionsBody = z.object({ interaction, mfa_token: mfaToken.optional() });
const passkeyBody = z.object({ interaction, challenge, response: z.unknown() });

/** The one factor a body offers (none: a factor proven by enrolling during this sign-in). */
function proofOf(body: z.output<typeof mfaBody>): SecondFactorProof | undefined {
  const offered = [body.totp, body.recovery_code, body.passkey].filter((v) => v !== undefined).length;
  if (offered > 1)
    throw new ServerError('ERR_VALIDATION', {
      message: 'totp, recovery_code, passkey: send one second factor',
    });
  if (body.totp !== undefined) return { kind: 'totp', code: body.totp };
  if (body.recovery_code !== undefined) return { kind: 'recovery_code', code: body.recovery_code };
  if (body.passkey !== undefined)
    return { kind: 'passkey', challenge: body.passkey.challenge, response: body.passkey.response };
  return undefined;
}

/** The page's answer to a step that may have signed the browser in (the cookie set then). */
function sendOutcome(ctx: ServerContext, reply: FastifyReply, outcome: DeskOutcome): AuthorizeAnswer {
  if (outcome.kind === 'mfa')
    throw new ServerError('ERR_INTERNAL', { cause: new Error('a factor is still due') });
  if (outcome.kind === 'refused') return answer(ctx, outcome.result, undefined);
  setBrowserSessionCookie(ctx, reply, outcome.signedIn.session);
  return answer(ctx, outcome.result, outcome.signedIn);
}

/**
 * `POST /api/authorize/mfa`, `/api/authorize/passkey/options` and `/api/authorize/passkey`: the
 * second factor after the password (with the login's `mfa_token`) or on top of the signed-in
 * browser session (step-up: `X-CSRF-Token`, no token), and the passkey sign-in. Same origin and
 * JSON only, like the other page calls.
 */
export function apiAuthorizeMfaRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(AUTHORIZE_API.mfa, async (request, reply): Promise<AuthorizeAnswer> => {
    noStore(reply);
    const body = parseInput(mfaBody, request.body);
    const proof = proofOf(body);
    const loaded = await loadInteraction(ctx, body.interaction);
    const info = requestInfo(request);
    await ctx.throttle.hitIp('login', info.ip);
    // Without a pending sign-in, the browser's own session (and its CSRF token) is the first factor.
    const live: SignedIn | undefined =
      body.mfa_token === undefined ? await signedInWithCsrf(ctx, request) : undefined;
    const outcome = await completeSecondFactor(ctx, loaded, {
      interaction: body.interaction,
      mfaToken: body.mfa_token,
      proof,
      live,
      previousSessionId: browserSessionIdFrom(ctx, request),
      request: info,
    });
    return sendOutcome(ctx, reply, outcome);
  });

  app.post(AUTHORIZE_API.passkeyOptions, async (request, reply): Promise<AuthorizePasskeyOptions> => {
    noStore(reply);
    const body = parseInput(optionsBody, request.body);
    await loadInteraction(ctx, body.interaction);
    let forUser: string | undefined;
    if (body.mfa_token !== undefined) {
      forUser = (await pendingUser(ctx, openPending(ctx, body.mfa_token, pendingPurpose(body.interaction))))
        .id;
    } else if (request.headers['x-csrf-token'] !== undefined) {
      // The page asks for the signed-in person's passkeys (step-up): its CSRF token says so.
      forUser = (await signedInWithCsrf(ctx, request)).user.id;
    }
    const { options, challenge: token } = await passkeySignInOptions(ctx, forUser);
    return { options: { ...options }, challenge: token };
  });

  app.post(AUTHORIZE_API.passkey, async (request, reply): Promise<AuthorizeAnswer> => {
    noStore(reply);
    const body = parseInput(passkeyBody, request.body);
    const loaded = await loadInteraction(ctx, body.interaction);
    const outcome = await passkeyAtDesk(ctx, loaded, {
      challenge: body.challenge,
      response: body.response,
      previousSessionId: browserSessionIdFrom(ctx, request),
      request: requestInfo(request),
    });
    return sendOutcome(ctx, reply, outcome);
  });
}
