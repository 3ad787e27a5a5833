import type { IdTokenField, TokenSet as WireTokenSet } from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
import { authenticateClient } from '../../clients/index.js';
import type { ServerContext } from '../../context.js';
import { ServerError } from '../../errors.js';
import {
  ACCESS_TOKEN_TYPE,
  clientCredentials,
  exchangeAuthorizationCode,
  exchangeToken,
  refreshSession,
  signIn,
  type TokenSet,
} from '../../sessions/index.js';
import { TOKEN_EXCHANGE_GRANT } from '../../storage/index.js';
import { clientCredentialsFrom } from '../client-auth.js';
import { tokenRequestProof } from '../dpop.js';
import { requestInfo } from '../input.js';
import { parseTokenBody } from '../token-body.js';

/**
 * The OAuth token response for a user token set (RFC 6749 §5.1), with the `id_token` of a grant
 * whose scope includes `openid` (OpenID Connect Core §3.1.3.3).
 */
export function oauthTokenResponse(tokens: TokenSet): WireTokenSet & IdTokenField {
  return {
    access_token: tokens.accessToken,
    token_type: tokens.tokenType,
    expires_in: tokens.expiresIn,
    ...(tokens.refreshToken !== null ? { refresh_token: tokens.refreshToken } : {}),
    scope: tokens.scope,
    ...(tokens.idToken !== undefined ? { id_token: tokens.idToken } : {}),
  };
}

const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;
/**
 * `POST /oauth/token`: authorization_code (with PKCE), password, refresh_token, client_credentials
 * and token-exchange (RFC 8693) grants.
 */
export function oauthTokenRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/oauth/token', async (request, reply) => {
    // RFC 6749 §3.2: a form, whose parser refuses a repeated parameter (§3.1). A JSON body would be
    // read last-member-wins, so a proxy reading the first `grant_type` would see another request.
    const type = request.headers['content-type'];
    if (typeof type !== 'string' || !FORM_TYPE.test(type)) {
      throw new ServerError('ERR_VALIDATION', {
        message: 'Send the token request as application/x-www-form-urlencoded',
      });
    }
    const body = parseTokenBody(request.body);
    const info = requestInfo(request);
    // No DPoP header (the common case): no proof to check, and no turn of the event loop for it.
    const dpopJkt =
      request.headers.dpop === undefined ? undefined : await tokenRequestProof(ctx, request, '/oauth/token');
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    const required = (
      name:
        | 'username'
        | 'password'
        | 'refresh_token'
        | 'code'
        | 'redirect_uri'
        | 'code_verifier'
        | 'subject_token'
        | 'subject_token_type',
    ): string => {
      const value = body[name];
      if (value === undefined || value === '') {
        throw new ServerError('ERR_VALIDATION', { message: `Invalid request: ${name}: required` });
      }
      return value;
    };
    switch (body.grant_type) {
      case 'authorization_code': {
        const code = required('code');
        const redirectUri = required('redirect_uri');
        const codeVerifier = required('code_verifier');
        // Public clients send their client_id alone (RFC 6749 §4.1.3); PKCE proves the code is theirs.
        const client = await authenticateClient(ctx, clientCredentialsFrom(request, body));
        const tokens = await exchangeAuthorizationCode(ctx, {
          code,
          redirectUri,
          codeVerifier,
          client,
          audience: body.audience,
          resource: body.resource,
          dpopJkt,
          request: info,
        });
        return oauthTokenResponse(tokens);
      }
      case 'password': {
        const username = required('username');
        const password = required('password');
        const client = await authenticateClient(ctx, clientCredentialsFrom(request, body));
        const tokens = await signIn(ctx, {
          username,
          password,
          client,
          scope: body.scope,
          audience: body.audience,
          resource: body.resource,
          dpopJkt,
          request: info,
        });
        return oauthTokenResponse(tokens);
      }
      case 'refresh_token': {
        const refreshToken = required('refresh_token');
        const client = await authenticateClient(ctx, clientCredentialsFrom(request, body));
        return oauthTokenResponse(
          await refreshSession(ctx, {
            refreshToken,
            client,
            scope: body.scope,
            audience: body.audience,
            resource: body.resource,
            dpopJkt,
            request: info,
          }),
        );
      }
      case 'client_credentials': {
        const client = await authenticateClient(ctx, clientCredentialsFrom(request, body), {
          requireConfidential: true,
        });
        const issued = await clientCredentials(ctx, {
          client,
          scope: body.scope,
          audience: body.audience,
          resource: body.resource,
          dpopJkt,
          request: info,
        });
        return {
          access_token: issued.accessToken,
          token_type: issued.tokenType,
          expires_in: issued.expiresIn,
          scope: issued.scope,
        };
      }
      case TOKEN_EXCHANGE_GRANT: {
        const subjectToken = required('subject_token');
        const subjectTokenType = required('subject_token_type');
        if (body.requested_token_type !== undefined && body.requested_token_type !== ACCESS_TOKEN_TYPE) {
          throw new ServerError('ERR_VALIDATION', {
            message: `Invalid request: requested_token_type: only ${ACCESS_TOKEN_TYPE} is issued`,
          });
        }
        const client = await authenticateClient(ctx, clientCredentialsFrom(request, body), {
          requireConfidential: true,
        });
        const issued = await exchangeToken(ctx, {
          client,
          subjectToken,
          subjectTokenType,
          scope: body.scope,
          audience: body.audience,
          resource: body.resource,
          dpopJkt,
          request: info,
        });
        return {
          access_token: issued.accessToken,
          issued_token_type: issued.issuedTokenType,
          token_type: issued.tokenType,
          expires_in: issued.expiresIn,
          scope: issued.scope,
        };
      }
      default:
        throw new ServerError('ERR_UNSUPPORTED_GRANT_TYPE');
    }
  });
}
