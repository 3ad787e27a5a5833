import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addUser, getJson, postJson, type Running, startServer, tempDir } from './helpers.js';

const PASSWORD = 'correct horse battery';

function cookiesOf(headers: Headers): Record<string, { value: string; attrs: string }> {
  const out: Record<string, { value: string; attrs: string }> = {};
  for (const line of headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const [name, value] = pair!.split('=');
    out[name!.trim()] = { value: value ?? '', attrs: attrs.join(';') };
  }
  return out;
}

describe('first-party account API', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('cookie mode: HttpOnly refresh cookie, double-submit CSRF on refresh and logout', async () => {
    r = await startServer();
    await addUser(r, 'alice', PASSWORD);
    const login = await postJson(`${r.url}/api/login`, {
      username: 'alice',
      password: PASSWORD,
      cookie: true,
    });
    expect(login.status).toBe(200);
    expect(login.body.refresh_token).toBeUndefined();
    const cookies = cookiesOf(login.headers);
    expect(cookies['__Host-keycard_rt']!.attrs).toMatch(/HttpOnly/);
    expect(cookies['__Host-keycard_rt']!.attrs).toMatch(/Secure/);
    expect(cookies['__Host-keycard_rt']!.attrs).toMatch(/SameSite=Strict/);
    // __Host-: Secure, Path=/ and no Domain, or the browser drops the cookie.
    for (const name of ['__Host-keycard_rt', '__Host-keycard_csrf']) {
      expect(cookies[name]!.attrs).toMatch(/Secure/);
      expect(cookies[name]!.attrs).toMatch(/Path=\/(;|$)/);
      expect(cookies[name]!.attrs).not.toMatch(/Domain=/i);
    }
    expect(cookies['__Host-keycard_csrf']!.attrs).not.toMatch(/HttpOnly/);
    const jar = `__Host-keycard_rt=${cookies['__Host-keycard_rt']!.value}; __Host-keycard_csrf=${cookies['__Host-keycard_csrf']!.value}`;

    const noCsrf = await postJson(`${r.url}/api/refresh`, {}, { cookie: jar });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.code).toBe('ERR_CSRF');
    const wrong = await postJson(`${r.url}/api/refresh`, {}, { cookie: jar, 'x-csrf-token': 'nope' });
    expect(wrong.body.error.code).toBe('ERR_CSRF');
    const ok = await postJson(
      `${r.url}/api/refresh`,
      {},
      { cookie: jar, 'x-csrf-token': cookies['__Host-keycard_csrf']!.value },
    );
    expect(ok.status).toBe(200);
    expect(ok.body.refresh_token).toBeUndefined();
    const next = cookiesOf(ok.headers);
    expect(next['__Host-keycard_rt']!.value).not.toBe(cookies['__Host-keycard_rt']!.value);
    const jar2 = `__Host-keycard_rt=${next['__Host-keycard_rt']!.value}; __Host-keycard_csrf=${next['__Host-keycard_csrf']!.value}`;
    const out = await postJson(
      `${r.url}/api/logout`,
      {},
      { cookie: jar2, 'x-csrf-token': next['__Host-keycard_csrf']!.value },
    );
    expect(out.status).toBe(204);
    expect(
      (await getJson(`${r.url}/api/me`, { authorization: `Bearer ${ok.body.access_token}` })).status,
    ).toBe(401);
  });

  it('changing the password revokes the other sessions and checks the current password', async () => {
    r = await startServer();
    await addUser(r, 'alice', PASSWORD);
    const a = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    const b = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    const auth = { authorization: `Bearer ${a.body.access_token}` };
    const wrong = await postJson(
      `${r.url}/api/password`,
      { currentPassword: 'nope', newPassword: 'a new long password' },
      auth,
    );
    expect(wrong.body.error.code).toBe('ERR_INVALID_CREDENTIALS');
    const weak = await postJson(
      `${r.url}/api/password`,
      { currentPassword: PASSWORD, newPassword: 'short' },
      auth,
    );
    expect(weak.body.error.code).toBe('ERR_WEAK_PASSWORD');
    const changed = await postJson(
      `${r.url}/api/password`,
      { currentPassword: PASSWORD, newPassword: 'a new long password' },
      auth,
    );
    expect(changed.status).toBe(204);
    expect((await getJson(`${r.url}/api/me`, auth)).status).toBe(200);
    expect(
      (await getJson(`${r.url}/api/me`, { authorization: `Bearer ${b.body.access_token}` })).status,
    ).toBe(401);
    expect((await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD })).status).toBe(
      401,
    );
    expect(
      (await postJson(`${r.url}/api/login`, { username: 'alice', password: 'a new long password' })).status,
    ).toBe(200);
  });

  it('registration is off by default; when on it creates guests', async () => {
    r = await startServer();
    const off = await postJson(`${r.url}/api/register`, { username: 'newbie', password: PASSWORD });
    expect(off.status).toBe(403);
    expect(off.body.error.code).toBe('ERR_REGISTRATION_DISABLED');
    await r.close();
    r = await startServer({ registration: { enabled: true } });
    const on = await postJson(`${r.url}/api/register`, { username: 'Nïkola', password: PASSWORD });
    expect(on.status).toBe(201);
    expect(on.body.roles).toEqual(['guest']);
    const dup = await postJson(`${r.url}/api/register`, { username: 'nïkola', password: PASSWORD });
    expect(dup.body.error.code).toBe('ERR_USERNAME_TAKEN');
    const bad = await postJson(`${r.url}/api/register`, { username: 'has space', password: PASSWORD });
    expect(bad.body.error.code).toBe('ERR_INVALID_USERNAME');
    expect((await postJson(`${r.url}/api/login`, { username: 'NÏKOLA', password: PASSWORD })).status).toBe(
      200,
    );
  });

  it('rehashes a password made with other argon2 parameters on sign-in', async () => {
    r = await startServer();
    const user = await addUser(r, 'alice', PASSWORD);
    const argon2 = (await import('argon2')).default;
    const old = await argon2.hash(PASSWORD, {
      type: argon2.argon2id,
      memoryCost: 2048,
      timeCost: 1,
      parallelism: 1,
    });
    await r.server.services.storage.users.update(user.id, { passwordHash: old });
    expect((await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD })).status).toBe(
      200,
    );
    const stored = await r.server.services.storage.users.getById(user.id);
    expect(stored!.passwordHash).not.toBe(old);
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$/);
  });

  it('inspect explains each check without echoing the token; ui-config lists doors', async () => {
    r = await startServer({
      ui: { doors: [{ id: 'pool', name: 'Pool', url: 'http://127.0.0.1:4101', description: 'Swim' }] },
    });
    await addUser(r, 'alice', PASSWORD);
    const login = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    const token = login.body.access_token as string;
    const good = await postJson(`${r.url}/api/inspect`, { token });
    expect(good.body.valid).toBe(true);
    expect(good.body.checks.map((c: { name: string }) => c.name)).toEqual([
      'format',
      'alg',
      'signature',
      'typ',
      'iss',
      'aud',
      'exp',
      'nbf',
      'iat',
      'revoked',
    ]);
    expect(JSON.stringify(good.body)).not.toContain(token);
    const [h, p, s] = token.split('.');
    const flipped = `${h}.${p}.${s!.slice(0, -4)}${s!.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    const bad = await postJson(`${r.url}/api/inspect`, { token: flipped });
    expect(bad.body.valid).toBe(false);
    const sig = bad.body.checks.find((c: { name: string }) => c.name === 'signature');
    expect(sig).toMatchObject({ ok: false, code: 'ERR_JWS_SIGNATURE_INVALID' });
    const garbage = await postJson(`${r.url}/api/inspect`, { token: 'not a token' });
    expect(garbage.body).toMatchObject({
      valid: false,
      header: null,
      checks: [{ name: 'format', ok: false }],
    });
    await postJson(`${r.url}/api/logout`, { refresh_token: login.body.refresh_token });
    const revoked = await postJson(`${r.url}/api/inspect`, { token });
    expect(revoked.body.checks.find((c: { name: string }) => c.name === 'revoked').ok).toBe(false);

    const ui = await getJson(`${r.url}/api/ui-config`);
    expect(ui.body).toEqual({
      issuer: r.url,
      doors: [{ id: 'pool', name: 'Pool', url: 'http://127.0.0.1:4101', description: 'Swim' }],
      accounts: { passwordReset: false, signup: false, emailVerification: false },
    });
  });

  it('serves the web app with SPA fallback and a strict CSP; API paths still 404 as JSON', async () => {
    const web = tempDir();
    try {
      mkdirSync(join(web.dir, 'assets'));
      writeFileSync(
        join(web.dir, 'index.html'),
        '<!doctype html><title>keycard</title><script type="module" src="/assets/app.js"></script>',
      );
      writeFileSync(join(web.dir, 'assets', 'app.js'), 'console.log(1)');
      r = await startServer({
        ui: { staticDir: web.dir, doors: [{ id: 'pool', name: 'Pool', url: 'http://127.0.0.1:4102/pool' }] },
      });
      const root = await fetch(`${r.url}/`, { headers: { accept: 'text/html' } });
      expect(root.status).toBe(200);
      const csp = root.headers.get('content-security-policy')!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("connect-src 'self' http://127.0.0.1:4102;");
      expect(root.headers.get('x-content-type-options')).toBe('nosniff');
      const deep = await fetch(`${r.url}/account/sessions`, { headers: { accept: 'text/html' } });
      expect(deep.status).toBe(200);
      expect(await deep.text()).toContain('<title>keycard</title>');
      const asset = await fetch(`${r.url}/assets/app.js`);
      expect(asset.status).toBe(200);
      const api = await getJson(`${r.url}/api/nope`, { accept: 'text/html' });
      expect(api.status).toBe(404);
      expect(api.body.error.code).toBe('ERR_NOT_FOUND');
      const jwks = await fetch(`${r.url}/.well-known/jwks.json`);
      expect(jwks.headers.get('cache-control')).toBe('public, max-age=300, stale-while-revalidate=60');
    } finally {
      web.remove();
    }
  });

  it('CORS: API routes only for configured origins; discovery, JWKS and the feed for any', async () => {
    r = await startServer({ cors: { origins: ['https://app.example'] } });
    const allowed = await fetch(`${r.url}/api/ui-config`, { headers: { origin: 'https://app.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await fetch(`${r.url}/api/ui-config`, { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${r.url}/api/login`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-CSRF-Token/);
    const feed = await fetch(`${r.url}/revocations`, { headers: { origin: 'https://evil.example' } });
    expect(feed.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('exposes Prometheus metrics on its own registry', async () => {
    r = await startServer({ metrics: { token: 'm'.repeat(32) } });
    await addUser(r, 'alice', PASSWORD);
    const login = await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
    await postJson(`${r.url}/api/login`, { username: 'alice', password: 'wrong wrong' });
    await postJson(`${r.url}/api/refresh`, { refresh_token: login.body.refresh_token });
    const text = await (
      await fetch(`${r.url}/metrics`, { headers: { authorization: `Bearer ${'m'.repeat(32)}` } })
    ).text();
    expect(text).toMatch(/keycard_logins_total\{result="success"\} 1/);
    expect(text).toMatch(/keycard_logins_total\{result="failure"\} 1/);
    expect(text).toMatch(/keycard_tokens_issued_total\{grant="password"\} 1/);
    expect(text).toMatch(/keycard_refresh_total 1/);
    expect(text).toMatch(/keycard_process_cpu/);
  });
});
