// Registering code-flow clients through the admin API: redirect URIs, post-logout redirect URIs,
// the back-channel logout URI and public keys (private_key_jwt) go in, are stored, and come back
// out; a confidential client may have a secret, keys, or both, and a secret is never shown again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectUriMatches } from '../src/clients/redirect-uri.js';
import { addAudience, addUser, type Body, postForm, postJson, type Running, startServer } from './helpers.js';
import { ecKeyPair, ed25519PublicJwk, rsaPublicJwk } from './support/client-keys.js';

const PASSWORD = 'correct horse battery';

describe('registering code-flow clients (admin API)', () => {
  let r: Running;
  let admin: string;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${r.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };

  beforeAll(async () => {
    r = await startServer();
    await addAudience(r, 'photos', ['photos:read']);
    await addUser(r, 'boss', PASSWORD, ['manager']);
    admin = (await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD })).body
      .access_token;
  });
  afterAll(() => r.close());

  it('stores every code-flow field and answers it back, public keys only, never a secret', async () => {
    const ec = ecKeyPair('ec-1');
    const rsa = rsaPublicJwk('rsa-1');
    const ed = ed25519PublicJwk('ed-1');
    const created = await call('POST', '/api/admin/clients', {
      id: 'photos-web',
      type: 'confidential',
      grants: ['authorization_code', 'refresh_token'],
      audiences: ['photos'],
      scopes: ['photos:read'],
      redirectUris: ['https://photos.example.com/callback', 'http://127.0.0.1/cb'],
      postLogoutRedirectUris: ['https://photos.example.com/bye'],
      backchannelLogoutUri: 'https://photos.example.com/backchannel-logout',
      // Members other than the public ones (a certificate chain here) are not kept.
      jwks: { keys: [{ ...ec.publicJwk, x5c: ['MIIB'] }, rsa, ed] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.body.hasSecret).toBe(true);
    expect(created.body.secretHash).toBeUndefined();
    const expected = {
      id: 'photos-web',
      grants: ['authorization_code', 'refresh_token'],
      redirectUris: ['https://photos.example.com/callback', 'http://127.0.0.1/cb'],
      postLogoutRedirectUris: ['https://photos.example.com/bye'],
      backchannelLogoutUri: 'https://photos.example.com/backchannel-logout',
      jwks: { keys: [ec.publicJwk, rsa, ed] },
    };
    expect(created.body).toMatchObject(expected);
    expect(created.body.jwks.keys[0].x5c).toBeUndefined();

    const listed = (await call('GET', '/api/admin/clients')).body.clients.find(
      (c: { id: string }) => c.id === 'photos-web',
    );
    expect(listed).toMatchObject({ ...expected, hasSecret: true });
    expect(listed.secret).toBeUndefined();
    expect(JSON.stringify(listed)).not.toMatch(/"d"|secretHash/);
    // A native app's loopback redirect, registered without a port, is matched on any port.
    expect(redirectUriMatches(listed.redirectUris, 'http://127.0.0.1:51004/cb')).toBe(true);

    // The same data as storage (SQLite here) holds it.
    const stored = await r.server.services.storage.clients.get('photos-web');
    expect(stored).toMatchObject({ ...expected, jwks: { keys: [ec.publicJwk, rsa, ed] } });
  });

  it('changes the code-flow fields in place, checked like a new client', async () => {
    const patched = await call('PATCH', '/api/admin/clients/photos-web', {
      redirectUris: ['https://photos.example.com/callback2'],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      jwks: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      redirectUris: ['https://photos.example.com/callback2'],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      jwks: null,
      hasSecret: true,
    });
    // Dropping the grant while redirect URIs remain is refused, naming why.
    const dropped = await call('PATCH', '/api/admin/clients/photos-web', { grants: ['refresh_token'] });
    expect(dropped.status).toBe(400);
    expect(dropped.body.error.code).toBe('ERR_VALIDATION');
    expect(dropped.body.error.message).toMatch(
      /^redirectUris: only a client with the authorization_code grant/,
    );
    // So is emptying the redirect URIs of a code-flow client.
    const emptied = await call('PATCH', '/api/admin/clients/photos-web', { redirectUris: [] });
    expect(emptied.body.error.message).toMatch(
      /^redirectUris: the authorization_code grant needs at least one/,
    );
    // The secret is not a field an admin may change here.
    const secret = await call('PATCH', '/api/admin/clients/photos-web', { secret: false });
    expect(secret.body.error.code).toBe('ERR_VALIDATION');
    // Nothing of the refused changes was stored.
    const stored = await r.server.services.storage.clients.get('photos-web');
    expect(stored?.grants).toEqual(['authorization_code', 'refresh_token']);
    expect(stored?.redirectUris).toEqual(['https://photos.example.com/callback2']);
  });

  it('a keys-only confidential client (secret: false) is stored; a secret authenticates it never', async () => {
    const { publicJwk } = ecKeyPair('svc-1');
    const created = await call('POST', '/api/admin/clients', {
      id: 'photos-worker',
      type: 'confidential',
      secret: false,
      grants: ['client_credentials'],
      audiences: ['photos'],
      scopes: ['photos:read'],
      jwks: { keys: [publicJwk] },
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBeUndefined();
    expect(created.body).toMatchObject({ hasSecret: false, jwks: { keys: [publicJwk] } });
    const stored = await r.server.services.storage.clients.get('photos-worker');
    expect(stored?.secretHash).toBeNull();
    expect(stored?.jwks).toEqual({ keys: [publicJwk] });
    // It has no secret: whatever is presented as one, and none at all, is an unknown client.
    const forms: Record<string, string>[] = [
      { client_id: 'photos-worker', client_secret: 'anything' },
      { client_id: 'photos-worker', client_secret: '' },
      { client_id: 'photos-worker' },
    ];
    for (const form of forms) {
      const token = await postForm(`${r.url}/oauth/token`, { grant_type: 'client_credentials', ...form });
      expect(token.status).toBe(401);
      expect(token.body.error).toBe('invalid_client');
    }
    const basic = await postForm(
      `${r.url}/oauth/token`,
      { grant_type: 'client_credentials' },
      { authorization: `Basic ${Buffer.from('photos-worker:').toString('base64')}` },
    );
    expect(basic.body.error).toBe('invalid_client');
    // Without its keys it would have no credential at all.
    const keyless = await call('PATCH', '/api/admin/clients/photos-worker', { jwks: null });
    expect(keyless.status).toBe(400);
    expect(keyless.body.error.message).toMatch(/^secret: a confidential client needs a client secret, jwks/);
  });

  it('a confidential client needs a secret or keys; a public client has neither', async () => {
    const { publicJwk } = ecKeyPair('k');
    const base = { grants: ['client_credentials'], audiences: ['photos'] };
    const none = await call('POST', '/api/admin/clients', {
      id: 'c1',
      type: 'confidential',
      secret: false,
      ...base,
    });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toMatch(/^secret: a confidential client needs/);
    const publicGrants = { grants: ['authorization_code'], redirectUris: ['https://a.example/cb'] };
    const publicSecret = await call('POST', '/api/admin/clients', {
      id: 'c2',
      type: 'public',
      secret: true,
      ...publicGrants,
    });
    expect(publicSecret.body.error.message).toMatch(/^secret: public clients have no secret/);
    const publicKeys = await call('POST', '/api/admin/clients', {
      id: 'c3',
      type: 'public',
      jwks: { keys: [publicJwk] },
      ...publicGrants,
    });
    expect(publicKeys.body.error.message).toMatch(/^jwks: a public client has no credentials/);
    // Both: a secret and keys.
    const both = await call('POST', '/api/admin/clients', {
      id: 'c4',
      type: 'confidential',
      jwks: { keys: [publicJwk] },
      ...base,
    });
    expect(both.status).toBe(201);
    expect(both.body).toMatchObject({ hasSecret: true, jwks: { keys: [publicJwk] } });
    expect(both.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A public code-flow client (a single-page or native app): no secret, no keys.
    const spa = await call('POST', '/api/admin/clients', { id: 'c5', type: 'public', ...publicGrants });
    expect(spa.status).toBe(201);
    expect(spa.body).toMatchObject({ hasSecret: false, jwks: null, redirectUris: ['https://a.example/cb'] });
    for (const id of ['c1', 'c2', 'c3'])
      expect(await r.server.services.storage.clients.get(id)).toBeUndefined();
  });
});
