import type {
  PasskeyCreationOptions,
  PasskeyRegistration,
  TotpConfirmation,
  TotpStart,
} from '@keycard/protocol';
import { MFA_API } from '@keycard/protocol';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { MAX_INTERACTION_LENGTH } from '../../authorize/index.js';
import type { ServerContext } from '../../context.js';
import {
  confirmTotpEnrolment,
  passkeyCreationOptions,
  registerPasskey,
  startTotpEnrolment,
} from '../../mfa/index.js';
import { enroller, provenToken } from '../enrol-caller.js';
import { parseInput, requestInfo } from '../input.js';
import { wireMfaPasskey } from '../wire-records.js';

/** Sizes only: the sealed token's own check says whether it is good. */
const auth = {
  mfa_token: z.string().min(1).max(4096).optional(),
  interaction: z.string().min(1).max(MAX_INTERACTION_LENGTH).optional(),
};
const authBody = z.object(auth);
const confirmBody = z.object({ ...auth, code: z.string().max(64) });
const registerBody = z.object({
  ...auth,
  name: z.string().max(1024).optional(),
  challenge: z.string().min(1).max(4096),
  response: z.unknown(),
});

const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');

/**
 * `POST /api/mfa/totp/start|confirm`, `POST /api/mfa/passkeys/options`, `POST /api/mfa/passkeys`:
 * setting up a second factor, from the account page (a recent card) or during a sign-in that must
 * set one up (an `mfa_token` with `enrol`; see enrol-caller.ts). JSON only (`requireJsonUnder`),
 * never cached.
 */
export function apiMfaRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post(MFA_API.totpStart, async (request, reply) => {
    const body = parseInput(authBody, request.body);
    const who = await enroller(ctx, request, body);
    const started = await startTotpEnrolment(ctx, who.user);
    noStore(reply);
    return {
      secret: started.secret,
      otpauth_uri: started.otpauthUri,
      qr_svg: started.qrSvg,
    } satisfies TotpStart;
  });

  app.post(MFA_API.totpConfirm, async (request, reply) => {
    const body = parseInput(confirmBody, request.body);
    const who = await enroller(ctx, request, body);
    const { recoveryCodes } = await confirmTotpEnrolment(ctx, who.user.id, body.code, {
      actor: who.user.id,
      request: requestInfo(request),
    });
    const mfaToken = provenToken(ctx, who, 'totp');
    noStore(reply);
    return {
      ...(recoveryCodes === undefined ? {} : { recovery_codes: recoveryCodes }),
      ...(mfaToken === undefined ? {} : { mfa_token: mfaToken }),
    } satisfies TotpConfirmation;
  });

  app.post(MFA_API.passkeyOptions, async (request, reply) => {
    const body = parseInput(authBody, request.body);
    const who = await enroller(ctx, request, body);
    const { options, challenge } = await passkeyCreationOptions(ctx, who.user);
    noStore(reply);
    return { options: { ...options }, challenge } satisfies PasskeyCreationOptions;
  });

  app.post(MFA_API.passkeys, async (request, reply) => {
    const body = parseInput(registerBody, request.body);
    const who = await enroller(ctx, request, body);
    const { passkey, recoveryCodes } = await registerPasskey(
      ctx,
      who.user.id,
      { name: body.name, challenge: body.challenge, response: body.response },
      { actor: who.user.id, request: requestInfo(request) },
    );
    const mfaToken = provenToken(ctx, who, 'passkey');
    noStore(reply);
    return reply.code(201).send({
      passkey: wireMfaPasskey(passkey),
      ...(recoveryCodes === undefined ? {} : { recovery_codes: recoveryCodes }),
      ...(mfaToken === undefined ? {} : { mfa_token: mfaToken }),
    } satisfies PasskeyRegistration);
  });
}
