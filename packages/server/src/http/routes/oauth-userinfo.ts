import { type OAuthErrorBody, parseAuthorization, USERINFO_PATH, type UserInfo } from '@keycard/protocol';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import { identityClaims } from '../../tokens/index.js';
import { verifyUserCard } from '../bearer.js';
import { dpopFailure } from '../errors.js';

/** The refusals answered as a protected resource (RFC 6750 §3.1), with their status and challenge. */
const REFUSALS = {
  ERR_UNAUTHENTICATED: { status: 401, error: undefined, result: 'invalid_token' },
  ERR_INVALID_TOKEN: { status: 401, error: 'invalid_token', result: 'invalid_token' },
  ERR_INSUFFICIENT_SCOPE: { status: 403, error: 'insufficient_scope', result: 'insufficient_scope' },
} as const;
type Refusal = keyof typeof REFUSALS;

/**
 * The holder's own claims (OpenID Connect Core §5.3). Any card this server issued — signature,
 * issuer, `typ: at+jwt`, expiry and revocation checked — to a user, carrying `openid`, WHATEVER ITS
 * AUDIENCE: the one exemption from "only `keycard` cards at the server's API", as it reveals only
 * the holder's own claims, those its scopes allow. A DPoP-bound card needs its proof, as at `/api/*`.
 */
export async function userInfo(ctx: ServerContext, request: FastifyRequest): Promise<UserInfo> {
  // Any audience: verifyUserCard names none, so only issuer, signature, typ, expiry and revocation.
  const { userId, scopes } = await verifyUserCard(ctx, request);
  if (!scopes.includes('openid')) {
    throw new ServerError('ERR_INSUFFICIENT_SCOPE', { message: 'The card does not carry the openid scope' });
  }
  const user = await ctx.storage.users.getById(userId);
  if (user === undefined || user.disabled) throw new ServerError('ERR_INVALID_TOKEN');
  return { sub: user.id, ...identityClaims(user, scopes) };
}

/** A refusal as RFC 6750 §3 (and RFC 9449 §7.1 for the DPoP scheme) has it: status and challenge. */
function refuse(request: FastifyRequest, reply: FastifyReply, error: ServerError & { code: Refusal }) {
  const { status } = REFUSALS[error.code];
  const scheme = parseAuthorization(request.headers.authorization).scheme === 'DPoP' ? 'DPoP' : 'Bearer';
  const code = scheme === 'DPoP' && dpopFailure(error) ? 'invalid_dpop_proof' : REFUSALS[error.code].error;
  reply.header('www-authenticate', code === undefined ? scheme : `${scheme} error="${code}"`);
  const body: OAuthErrorBody = {
    error: code ?? 'invalid_token',
    error_description: error.message,
    code: error.code,
  };
  return reply.code(status).send(body);
}

/** `GET` and `POST /oauth/userinfo`: never cached, counted in `keycard_userinfo_total`, not audited. */
export function oauthUserinfoRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    try {
      const info = await userInfo(ctx, request);
      ctx.metrics.userinfo.inc({ result: 'ok' });
      return info;
    } catch (error) {
      // Anything else (storage away, rate limits) is answered as every other OAuth endpoint does.
      if (!(error instanceof ServerError) || !(error.code in REFUSALS)) throw error;
      const refusal = error as ServerError & { code: Refusal };
      ctx.metrics.userinfo.inc({ result: REFUSALS[refusal.code].result });
      return refuse(request, reply, refusal);
    }
  };
  app.get(USERINFO_PATH, handler);
  app.post(USERINFO_PATH, handler);
}
