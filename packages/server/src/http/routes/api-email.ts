import { EMAIL_API } from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  assertMailConfigured,
  assertSignupOpen,
  requestEmailChange,
  requestPasswordReset,
  resetPassword,
  signUp,
  verifyEmailToken,
} from '../../accounts/index.js';
import type { ServerContext } from '../../context.js';
import { authenticate, requireRecentAuth } from '../bearer.js';
import { parseInput, requestInfo } from '../input.js';
import { requireJsonUnder } from '../json-only.js';

// Bounded before anything is looked up or hashed; the services check the shapes.
const forgotBody = z.object({ login: z.string().min(1).max(320) });
const resetBody = z.object({ token: z.string().max(512), password: z.string().max(4096) });
const signupBody = z.object({
  username: z.string().max(1024),
  email: z.string().max(1024),
  password: z.string().max(4096),
});
const tokenBody = z.object({ token: z.string().max(512) });
const emailBody = z.object({ email: z.string().max(1024) });

/**
 * Account recovery and verification by email (`EMAIL_API` of @keycard/protocol): forgot and reset
 * password, sign-up, verify an address, change the account's address. JSON bodies only (a page of
 * another site cannot post a form here). Off (404) without mail, before the body is even read. The 202s are empty and alike whoever the request names;
 * the mail goes out after the answer.
 */
export function apiEmailRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const path of Object.values(EMAIL_API)) requireJsonUnder(app, path);

  app.post(EMAIL_API.forgotPassword, async (request, reply) => {
    assertMailConfigured(ctx);
    const { login } = parseInput(forgotBody, request.body);
    await requestPasswordReset(ctx, login, requestInfo(request));
    return reply.code(202).send({});
  });

  app.post(EMAIL_API.resetPassword, async (request, reply) => {
    assertMailConfigured(ctx);
    const body = parseInput(resetBody, request.body);
    await resetPassword(ctx, body, requestInfo(request));
    return reply.code(204).send();
  });

  app.post(EMAIL_API.signup, async (request, reply) => {
    assertSignupOpen(ctx);
    const body = parseInput(signupBody, request.body);
    await signUp(ctx, body, requestInfo(request));
    return reply.code(202).send({});
  });

  app.post(EMAIL_API.verifyEmail, async (request, reply) => {
    assertMailConfigured(ctx);
    const { token } = parseInput(tokenBody, request.body);
    await verifyEmailToken(ctx, token, requestInfo(request));
    return reply.code(204).send();
  });

  app.put(EMAIL_API.accountEmail, async (request, reply) => {
    assertMailConfigured(ctx);
    // The address is where password resets go: neither a third-party app holding a keycard card
    // (first party only) nor a lifted card (recent sign-in) may redirect them.
    const caller = await authenticate(ctx, request, { firstParty: true });
    requireRecentAuth(ctx, caller);
    const { email } = parseInput(emailBody, request.body);
    await requestEmailChange(ctx, caller.userId, email, requestInfo(request));
    return reply.code(202).send({});
  });
}
