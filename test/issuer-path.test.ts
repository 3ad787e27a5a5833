// An issuer with a path (RFC 8414 §3), served by the server itself with no prefix-stripping
// proxy: a guard discovers it, verifies its cards and hears its revocation feed.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGuard } from '@keycard/guard';
import { createDpopProof, generateKeyPair } from '@keycard/jwt';
import { createServer, createUser, type KeycardServer } from '@keycard/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const PASSWORD = 'correct horse battery staple';

/** A port that was free a moment ago (the issuer URL must name it before the server binds). */
async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

describe('issuer with a path', () => {
  let dir: string;
  let server: KeycardServer;
  let issuer: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keycard-issuer-path-'));
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}/auth/kc`;
    server = await createServer(
      { logLevel: 'silent', dataDir: dir, port, issuer },
      { unsafeFastPasswordHashingForTests: true, jobs: false },
    );
    await server.listen();
    await createUser(server.services, { username: 'alice', password: PASSWORD, roles: ['guest'] });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a guard discovers the issuer, verifies its cards and hears a logout', async () => {
    const guard = createGuard({
      issuer,
      audience: 'keycard',
      revocation: { minReconnectDelayMs: 20, maxReconnectDelayMs: 200 },
    });
    try {
      await guard.ready();
      const login = await fetch(`${issuer}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: PASSWORD, client_id: 'keycard-cli' }),
      });
      expect(login.status).toBe(200);
      const { access_token: token, refresh_token: refresh } = (await login.json()) as Record<string, string>;
      const ok = await guard.verifyRequest({ headers: { authorization: `Bearer ${token}` } });
      expect(ok.ok).toBe(true);

      const out = await fetch(`${issuer}/api/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ refresh_token: refresh }),
      });
      expect(out.status).toBeLessThan(300);
      await expect
        .poll(async () => (await guard.verifyRequest({ headers: { authorization: `Bearer ${token}` } })).ok, {
          timeout: 5000,
        })
        .toBe(false);
    } finally {
      await guard.close();
    }
  });

  it('DPoP proofs name the URL under the issuer path (htu = issuer + path), at login and at /api/*', async () => {
    const key = await generateKeyPair('ES256');
    const login = await fetch(`${issuer}/api/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        dpop: createDpopProof(key, { method: 'POST', url: `${issuer}/api/login` }),
      },
      body: JSON.stringify({ username: 'alice', password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const { access_token: card, token_type } = (await login.json()) as Record<string, string>;
    expect(token_type).toBe('DPoP');
    const me = await fetch(`${issuer}/api/me`, {
      headers: {
        authorization: `DPoP ${card}`,
        dpop: createDpopProof(key, { method: 'GET', url: `${issuer}/api/me`, accessToken: card }),
      },
    });
    expect(me.status).toBe(200);
  });
});
