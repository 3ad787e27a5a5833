// Child process for bench/server.mjs: oidc-provider 9 issuing ES256 JWT access tokens (RFC 9068)
// through resource indicators, with client_credentials, authorization_code and rotating refresh
// tokens. It keeps state in its built-in in-memory adapter (no disk I/O: this favours it against
// keycard's SQLite). Interactions are finished programmatically (login + consent, no forms).
// Config (argv JSON): { clientId, clientSecret, redirectUri, resource, refreshWithoutOfflineAccess }
//   refreshWithoutOfflineAccess: issue a refresh token to every authorization-code exchange of a
//   client allowed the refresh_token grant (its `issueRefreshToken` hook), not only with
//   `offline_access`, which it grants only with `prompt=consent` (an interaction on every flow). Such
//   refresh tokens end with the oidc-provider session (its default `expiresWithSession`).
import crypto from 'node:crypto';
import http from 'node:http';
import { childMain } from '../lib/child.mjs';

childMain(async (cfg) => {
  const { default: Provider } = await import('oidc-provider');
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signingJwk = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: 'es256' };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: cfg.clientId,
        client_secret: cfg.clientSecret,
        grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [cfg.redirectUri],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
        scope: 'openid offline_access api:read',
      },
    ],
    jwks: { keys: [signingJwk] },
    scopes: ['openid', 'offline_access', 'api:read'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => cfg.resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'api:read',
          audience: cfg.resource,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
    // Rotate on every use, like keycard (oidc-provider's default only rotates late in the TTL).
    rotateRefreshToken: () => true,
    ...(cfg.refreshWithoutOfflineAccess
      ? { issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token') }
      : {}),
    pkce: { required: () => false },
    loadExistingGrant: async (ctx) => {
      const grantId =
        ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
  });
  // Silence the in-memory-adapter / dev warnings only; errors still surface through HTTP.
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error', err));

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    if (!req.url.startsWith('/interaction/')) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      let result;
      if (details.prompt.name === 'login') {
        result = { login: { accountId: 'bench-user' } };
      } else {
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
        const missing = details.prompt.details;
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
        for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
          grant.addResourceScope(indicator, scopes.join(' '));
        }
        result = { consent: { grantId: await grant.save() } };
      }
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  });
  return { issuer, port: server.address().port };
});
