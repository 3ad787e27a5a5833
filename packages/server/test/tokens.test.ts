import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient, updateUser } from '../src/index.js';
import { addUser, postForm, postJson, type Running, startServer } from './helpers.js';

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

  it('scopes are re-checked against the roles on every refresh', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const boss = await addUser(r, 'boss', PASSWORD, ['manager']);
    const login = await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD });
    expect(login.body.scope).toBe('admin');
    await updateUser(
      r.server.services,
      boss.id,
      { roles: ['guest'] },
      { actor: 'test', request: { ip: null, userAgent: null } },
    );
    const refreshed = await postJson(`${r.url}/api/refresh`, { refresh_token: login.body.refresh_token });
    expect(refreshed.body.scope).toBe('');
    expect(claimsOf(refreshed.body.access_token).roles).toEqual(['guest']);
  });

  it('a token minted right after a subject revocation is not born revoked', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const boss = await addUser(r, 'boss', PASSWORD, ['manager']);
    const login = await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD });
    const me = (token: string) =>
      fetch(`${r!.url}/api/me`, { headers: { authorization: `Bearer ${token}` } }).then((res) => res.status);
    // A role change revokes the live tokens of the subject (iat has one-second precision) ...
    await updateUser(
      r.server.services,
      boss.id,
      { roles: ['guest'] },
      { actor: 'test', request: { ip: null, userAgent: null } },
    );
    expect(await me(login.body.access_token)).toBe(401);
    // ... and the refresh that follows at once, in the same second, must still give a usable token.
    const refreshed = await postJson(`${r.url}/api/refresh`, { refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(await me(refreshed.body.access_token)).toBe(200);
  });

  it('grant rules: password only for first-party clients, client_credentials only for confidential ones', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    await addUser(r, 'alice', PASSWORD);
    const third = await createClient(ctx, {
      id: 'third',
      type: 'confidential',
      grants: ['refresh_token', 'client_credentials'],
      audiences: ['keycard'],
    });
    const basic = `Basic ${Buffer.from(`third:${third.secret}`).toString('base64')}`;
    const pw = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'password', username: 'alice', password: PASSWORD },
      { authorization: basic },
    );
    expect(pw.body).toMatchObject({ error: 'unauthorized_client', code: 'ERR_UNAUTHORIZED_CLIENT' });
    const cc = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: 'keycard-web',
    });
    expect(cc.body.error).toBe('invalid_client');
    await expect(
      createClient(ctx, { id: 'p', type: 'confidential', grants: ['password'], audiences: ['keycard'] }),
    ).rejects.toMatchObject({ code: 'ERR_VALIDATION' });
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
