import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { addUser, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

describe('access tokens', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('custom claims (user claims and the hook) never override registered claims', async () => {
    r = await startServer(
      { databaseUrl: 'memory' },
      {
        customClaims: (ctx) => ({
          tier: ctx.user?.username === 'alice' ? 'gold' : 'none',
          sub: 'evil',
          iss: 'https://evil.example',
          exp: 9_999_999_999,
          scope: 'admin',
          roles: ['manager'],
          grant: ctx.grant,
        }),
      },
    );
    const user = await addUser(r, 'alice', PASSWORD);
    await r.server.services.storage.users.update(user.id, {
      claims: { room: '101', aud: 'elsewhere', jti: 'x' },
    });
    const login = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    const claims = claimsOf(login.body.access_token);
    expect(claims).toMatchObject({
      tier: 'gold',
      room: '101',
      grant: 'password',
      sub: user.id,
      iss: r.url,
      aud: 'keycard',
    });
    expect(claims.exp - claims.iat).toBe(600);
    expect(claims.scope).toBe('');
    expect(claims.roles).toEqual(['guest']);
    expect(claims.jti).not.toBe('x');
  });

  it.each(['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'] as const)(
    'signs with %s when configured; jose verifies it through the JWKS',
    async (algorithm) => {
      r = await startServer({ databaseUrl: 'memory', tokens: { algorithm } });
      await addUser(r, 'alice', PASSWORD);
      const login = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
      const { protectedHeader } = await jwtVerify(
        login.body.access_token,
        createRemoteJWKSet(new URL(`${r.url}/.well-known/jwks.json`)),
        { issuer: r.url, audience: 'keycard', typ: 'at+jwt', algorithms: [algorithm] },
      );
      expect(protectedHeader.alg).toBe(algorithm);
    },
  );
});
