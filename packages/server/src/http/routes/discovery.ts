import { JWS_ALGORITHMS } from '@keycard/jwt';
import {
  type DiscoveryDocument,
  IDENTITY_CLAIMS,
  type OidcDiscoveryFields,
  REVOCATION_PATHS,
  USERINFO_PATH,
  WELL_KNOWN,
} from '@keycard/protocol';
import type { FastifyInstance } from 'fastify';
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
  'amr',
  ...IDENTITY_CLAIMS.profile,
  ...IDENTITY_CLAIMS.email,
];

/**
 * RFC 8414 metadata, also served as the OpenID configuration document: only what is served (no
 * `authorization_endpoint` and `response_types_supported: []` until the code flow exists).
 */
export async function discoveryDocument(
  ctx: ServerContext,
): Promise<DiscoveryDocument & OidcDiscoveryFields> {
  const scopes = await supportedScopes(ctx);
  const iss = ctx.issuer;
  return {
    issuer: iss,
    jwks_uri: `${iss}${WELL_KNOWN.jwks}`,
    token_endpoint: `${iss}/oauth/token`,
    revocation_endpoint: `${iss}/oauth/revoke`,
    introspection_endpoint: `${iss}/oauth/introspect`,
    userinfo_endpoint: `${iss}${USERINFO_PATH}`,
    grant_types_supported: ['password', 'refresh_token', 'client_credentials', TOKEN_EXCHANGE_GRANT],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: scopes,
    access_token_signing_alg_values_supported: [ctx.config.tokens.algorithm],
    // ID tokens are signed with the same rotating keys (OpenID Connect Core §2).
    id_token_signing_alg_values_supported: [ctx.config.tokens.algorithm],
    subject_types_supported: ['public'],
    claims_supported: CLAIMS_SUPPORTED,
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
