import { JWS_ALGORITHMS } from '@keycard/jwt';
import {
  ACR_VALUES,
  type DiscoveryDocument,
  END_SESSION_PATH,
  IDENTITY_CLAIMS,
  type OidcDiscoveryFields,
  REVOCATION_PATHS,
  USERINFO_PATH,
  WELL_KNOWN,
} from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
import { CLIENT_ASSERTION_ALGORITHMS } from '../../clients/index.js';
import type { ServerContext } from '../../context.js';
import { isStorageUnavailable, TOKEN_EXCHANGE_GRANT } from '../../storage/index.js';
import { isIdentityScope } from '../../tokens/index.js';

/** The scopes last read, per server: discovery answers from memory while storage is away. */
const knownScopes = new WeakMap<ServerContext, { scopes: string[]; failedAt: number }>();
const RETRY_STORAGE_MS = 5_000;

async function supportedScopes(ctx: ServerContext): Promise<string[]> {
  const known = knownScopes.get(ctx);
  if (known !== undefined && performance.now() - known.failedAt < RETRY_STORAGE_MS) return known.scopes;
  try {
    const scopes = new Set<string>();
    // Roles never grant an identity scope: only a client registered for one offers it.
    for (const role of await ctx.storage.roles.list())
      for (const s of role.scopes) if (!isIdentityScope(s)) scopes.add(s);
    for (const client of await ctx.storage.clients.list()) for (const s of client.scopes) scopes.add(s);
    const sorted = [...scopes].sort();
    knownScopes.set(ctx, { scopes: sorted, failedAt: -Infinity });
    return sorted;
  } catch (error) {
    if (known === undefined || !isStorageUnavailable(error)) throw error;
    knownScopes.set(ctx, { scopes: known.scopes, failedAt: performance.now() });
    return known.scopes;
  }
}

/** The claims an ID token or `/oauth/userinfo` may carry (OpenID Connect Discovery §3). */
const CLAIMS_SUPPORTED = [
  'iss',
  'sub',
  'aud',
  'azp',
  'exp',
  'iat',
  'auth_time',
  'sid',
  'acr',
  'amr',
  'nonce',
  ...IDENTITY_CLAIMS.profile,
  ...IDENTITY_CLAIMS.email,
];

/**
 * RFC 8414 metadata, also served as the OpenID configuration document: exactly what is served.
 * The authorization endpoint (and so `response_types_supported: ['code']`) and the end-session
 * endpoint only while the server serves the web app, whose pages sign people in and confirm
 * sign-outs; without them the one answers every request with an error page and the other cannot
 * ask anyone, so neither is advertised.
 */
export async function discoveryDocument(
  ctx: ServerContext,
): Promise<DiscoveryDocument & OidcDiscoveryFields> {
  const scopes = await supportedScopes(ctx);
  const iss = ctx.issuer;
  const pages = ctx.webPages;
  const secretMethods = ['client_secret_basic', 'client_secret_post', 'private_key_jwt'];
  const assertionAlgs = [...CLIENT_ASSERTION_ALGORITHMS];
  return {
    issuer: iss,
    ...(pages ? { authorization_endpoint: `${iss}/oauth/authorize` } : {}),
    jwks_uri: `${iss}${WELL_KNOWN.jwks}`,
    token_endpoint: `${iss}/oauth/token`,
    revocation_endpoint: `${iss}/oauth/revoke`,
    introspection_endpoint: `${iss}/oauth/introspect`,
    userinfo_endpoint: `${iss}${USERINFO_PATH}`,
    // The end-session endpoint needs the web app's confirmation page, as authorization needs its sign-in pages.
    ...(pages ? { end_session_endpoint: `${iss}${END_SESSION_PATH}` } : {}),
    grant_types_supported: [
      ...(pages ? ['authorization_code'] : []),
      'password',
      'refresh_token',
      'client_credentials',
      TOKEN_EXCHANGE_GRANT,
    ],
    response_types_supported: pages ? ['code'] : [],
    ...(pages
      ? {
          response_modes_supported: ['query'],
          code_challenge_methods_supported: ['S256'],
          authorization_response_iss_parameter_supported: true,
          prompt_values_supported: ['none', 'login', 'consent'],
        }
      : {}),
    token_endpoint_auth_methods_supported: [...secretMethods, 'none'],
    token_endpoint_auth_signing_alg_values_supported: assertionAlgs,
    revocation_endpoint_auth_methods_supported: [...secretMethods, 'none'],
    revocation_endpoint_auth_signing_alg_values_supported: assertionAlgs,
    introspection_endpoint_auth_methods_supported: secretMethods,
    introspection_endpoint_auth_signing_alg_values_supported: assertionAlgs,
    scopes_supported: scopes,
    access_token_signing_alg_values_supported: [ctx.config.tokens.algorithm],
    // ID tokens are signed with the same rotating keys (OpenID Connect Core §2).
    id_token_signing_alg_values_supported: [ctx.config.tokens.algorithm],
    subject_types_supported: ['public'],
    claims_supported: CLAIMS_SUPPORTED,
    // The acr of every ID token and user card, and what `acr_values` may ask for (weakest first).
    acr_values_supported: [...ACR_VALUES],
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
    // RFC 9449 §5.1: DPoP proofs are accepted at the token endpoint, /api/login and /api/refresh.
    dpop_signing_alg_values_supported: JWS_ALGORITHMS.filter((alg) => !alg.startsWith('HS')),
    keycard_revocations_endpoint: `${iss}${REVOCATION_PATHS.poll}`,
    keycard_revocations_stream_endpoint: `${iss}${REVOCATION_PATHS.stream}`,
  };
}

/** Discovery documents and the JWKS: public, cacheable, any origin. */
export function discoveryRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Known from the start, so metadata can be served from memory even before its first request.
  void supportedScopes(ctx).catch(() => {});
  const metadata = async (_request: unknown, reply: import('fastify').FastifyReply) => {
    reply.header('cache-control', 'public, max-age=300');
    return discoveryDocument(ctx);
  };
  app.get(WELL_KNOWN.openidConfiguration, metadata);
  app.get(WELL_KNOWN.oauthAuthorizationServer, metadata);
  app.get(WELL_KNOWN.jwks, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=300, stale-while-revalidate=60');
    reply.header('content-type', 'application/jwk-set+json; charset=utf-8');
    return ctx.keys.jwks();
  });
}
