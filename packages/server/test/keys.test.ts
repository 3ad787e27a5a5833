import { statSync } from 'node:fs';
import { join } from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryStorage, runMaintenance } from '../src/index.js';
import { addUser, getJson, postJson, type Running, startServer, tempDir, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';

describe('signing keys, JWKS and discovery', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('publishes next and current keys with cache headers; discovery names every endpoint', async () => {
    r = await startServer();
    const jwks = await getJson(`${r.url}/.well-known/jwks.json`);
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=300, stale-while-revalidate=60');
    expect(jwks.headers.get('access-control-allow-origin')).toBeNull();
    expect(jwks.body.keys).toHaveLength(2);
    for (const key of jwks.body.keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key.d).toBeUndefined();
    }
    const withOrigin = await getJson(`${r.url}/.well-known/jwks.json`, { origin: 'https://door.example' });
    expect(withOrigin.headers.get('access-control-allow-origin')).toBe('*');
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const meta = await getJson(`${r.url}${path}`);
      expect(meta.body).toMatchObject({
        issuer: r.url,
        jwks_uri: `${r.url}/.well-known/jwks.json`,
        token_endpoint: `${r.url}/oauth/token`,
        revocation_endpoint: `${r.url}/oauth/revoke`,
        introspection_endpoint: `${r.url}/oauth/introspect`,
        userinfo_endpoint: `${r.url}/oauth/userinfo`,
        keycard_revocations_endpoint: `${r.url}/revocations`,
        keycard_revocations_stream_endpoint: `${r.url}/revocations/stream`,
      });
      expect(meta.body.grant_types_supported).toEqual([
        ...(r.server.services.webPages ? ['authorization_code'] : []),
        'password',
        'refresh_token',
        'client_credentials',
        'urn:ietf:params:oauth:grant-type:token-exchange',
      ]);
      expect(meta.body.dpop_signing_alg_values_supported).toContain('ES256');
      expect(meta.body.dpop_signing_alg_values_supported).not.toContain('HS256');
    }
    expect((await getJson(`${r.url}/healthz`)).status).toBe(200);
    expect((await getJson(`${r.url}/readyz`)).status).toBe(200);
  });

  it("jose's createRemoteJWKSet + jwtVerify accept issued tokens (RFC 9068 header and claims)", async () => {
    r = await startServer();
    await addUser(r, 'alice', PASSWORD);
    const login = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    const JWKS = createRemoteJWKSet(new URL(`${r.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(login.body.access_token, JWKS, {
      issuer: r.url,
      audience: 'keycard',
      typ: 'at+jwt',
      algorithms: ['ES256'],
    });
    expect(protectedHeader.kid).toBeTypeOf('string');
    expect(payload).toMatchObject({ sub: expect.any(String), client_id: 'keycard-web', username: 'alice' });
    expect(payload.exp! - payload.iat!).toBe(600);
    for (const claim of ['jti', 'sid', 'nbf', 'roles', 'scope']) expect(payload).toHaveProperty(claim);
  });

  it('rotation keeps old tokens valid (the retired key stays in the JWKS) until they expire', async () => {
    const clock = testClock();
    r = await startServer({}, { clock });
    await addUser(r, 'alice', PASSWORD);
    const before = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    const oldKid = JSON.parse(
      Buffer.from(before.body.access_token.split('.')[0], 'base64url').toString(),
    ).kid;
    const rotated = await r.server.services.keys.rotate();
    expect(rotated.retired).toBe(oldKid);
    const jwks = await getJson(`${r.url}/.well-known/jwks.json`);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid).sort()).toEqual(
      [oldKid, rotated.current, rotated.next].sort(),
    );
    const after = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    const newKid = JSON.parse(Buffer.from(after.body.access_token.split('.')[0], 'base64url').toString()).kid;
    expect(newKid).toBe(rotated.current);
    const auth = (t: string) => ({ authorization: `Bearer ${t}` });
    expect((await getJson(`${r.url}/api/me`, auth(before.body.access_token))).status).toBe(200);
    // After the longest token lifetime, leeway and the key-cache window (+ margin), the retired key is removed.
    clock.advance((600 + 30 + 10) * 1000 + 1);
    const { removedKeys } = await runMaintenance(r.server.services);
    expect(removedKeys).toBe(1);
    const later = await getJson(`${r.url}/.well-known/jwks.json`);
    expect(later.body.keys.map((k: { kid: string }) => k.kid)).not.toContain(oldKid);
  });

  it('rotates on schedule only once the next key has been published long enough', async () => {
    const clock = testClock();
    r = await startServer({ keys: { rotationInterval: 86_400, publishLead: 3600 } }, { clock });
    const keys = r.server.services.keys;
    const initial = (await keys.list()).find((k) => k.state === 'current')!.kid;
    clock.advance(3_599_000);
    expect((await runMaintenance(r.server.services)).rotated).toBe(false);
    clock.advance(86_400_000);
    expect((await runMaintenance(r.server.services)).rotated).toBe(true);
    const states = await keys.list();
    expect(states.find((k) => k.kid === initial)?.state).toBe('retired');
    expect(states.filter((k) => k.state === 'next')).toHaveLength(1);
  });

  it('restart on the same data dir keeps users, keys and sessions; the master key file is 0600', async () => {
    const tmp = tempDir();
    try {
      const first = await startServer({}, { dir: tmp.dir });
      await addUser(first, 'alice', PASSWORD);
      const login = await postJson(`${first.url}/api/login`, { username: 'alice', password: PASSWORD });
      const kids = (await first.server.services.keys.list()).map((k) => k.kid).sort();
      expect(statSync(join(tmp.dir, 'master.key')).mode & 0o777).toBe(0o600);
      await first.server.close();

      // Same port, so the same issuer: the old access token must still verify.
      const second = await startServer({ port: Number(new URL(first.url).port) }, { dir: tmp.dir });
      r = second;
      expect((await second.server.services.keys.list()).map((k) => k.kid).sort()).toEqual(kids);
      const me = await getJson(`${second.url}/api/me`, {
        authorization: `Bearer ${login.body.access_token}`,
      });
      expect(me.status).toBe(200);
      const refreshed = await postJson(`${second.url}/api/refresh`, {
        refresh_token: login.body.refresh_token,
      });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.session_id).toBe(login.body.session_id);
      const again = await postJson(`${second.url}/api/login`, { username: 'alice', password: PASSWORD });
      expect(again.status).toBe(200);
    } finally {
      await r?.server.close();
      r = undefined;
      tmp.remove();
    }
  });

  it('refuses to start with the wrong master key', async () => {
    const tmp = tempDir();
    try {
      const first = await startServer({}, { dir: tmp.dir });
      await first.server.close();
      await expect(
        startServer({ masterKey: Buffer.alloc(32, 7).toString('base64url') }, { dir: tmp.dir }),
      ).rejects.toMatchObject({ code: 'ERR_MASTER_KEY_INVALID' });
    } finally {
      tmp.remove();
    }
  });
});

describe('key retirement across instances', () => {
  it('keeps a retired key until tokens another instance signed from its cached key list expire', async () => {
    const clock = testClock();
    const storage = createMemoryStorage();
    await storage.migrate();
    const kidOf = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;
    const shared = { databaseUrl: 'memory', masterKey: Buffer.alloc(32, 9).toString('base64url') };
    const a = await startServer(shared, { clock, storage });
    const b = await startServer(shared, { clock, storage });
    try {
      await addUser(a, 'alice', PASSWORD);
      const first = await postJson(`${b.url}/api/login`, { username: 'alice', password: PASSWORD });
      const oldKid = kidOf(first.body.access_token);
      clock.advance(1000);
      const rotated = await a.server.services.keys.rotate();
      expect(rotated.retired).toBe(oldKid);
      // b's cached key list is still fresh: it keeps signing with the retired key.
      clock.advance(3900);
      const late = await postJson(`${b.url}/api/login`, { username: 'alice', password: PASSWORD });
      expect(kidOf(late.body.access_token)).toBe(oldKid);

      // Past rotation + lifetime + leeway, b's last token is still valid (exp + leeway): its key must stay.
      clock.advance((600 + 30) * 1000 - 3900 + 1);
      const exp = JSON.parse(Buffer.from(late.body.access_token.split('.')[1], 'base64url').toString()).exp;
      expect((exp + 30) * 1000).toBeGreaterThan(clock());
      expect((await runMaintenance(a.server.services)).removedKeys).toBe(0);
      const jwks = await getJson(`${a.url}/.well-known/jwks.json`);
      expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toContain(oldKid);

      clock.advance(10_000);
      expect((await runMaintenance(a.server.services)).removedKeys).toBe(1);
    } finally {
      await a.close();
      await b.close();
      await storage.close();
    }
  });
});
