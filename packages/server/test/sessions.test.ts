import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addUser, getJson, postForm, postJson, type Running, startServer, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';

describe('sign-in, refresh rotation and reuse detection (SQLite, real HTTP)', () => {
  let r: Running;
  const clock = testClock();
  beforeEach(async () => {
    clock.set(Date.UTC(2030, 0, 1));
    r = await startServer({}, { clock });
    await addUser(r, 'alice', PASSWORD);
  });
  afterEach(() => r.close());

  const login = () => postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });
  const refresh = (token: string) => postJson(`${r.url}/api/refresh`, { refresh_token: token });
  const me = (access: string) => getJson(`${r.url}/api/me`, { authorization: `Bearer ${access}` });

  it('signs in, calls /api/me, refreshes with rotation', async () => {
    const first = await login();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ token_type: 'Bearer', expires_in: 600, user: { username: 'alice' } });
    // rt1.<session id>.<32 random bytes>.<16-byte MAC>, all base64url.
    expect(first.body.refresh_token).toMatch(
      /^rt1\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}$/,
    );
    expect(first.body.refresh_token.split('.')[1]).toBe(first.body.session_id);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const who = await me(first.body.access_token);
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({
      username: 'alice',
      roles: ['guest'],
      session_id: first.body.session_id,
      aud: 'keycard',
    });

    const second = await refresh(first.body.refresh_token);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect(second.body.session_id).toBe(first.body.session_id);
    expect((await me(second.body.access_token)).status).toBe(200);
  });

  it('reuse of a rotated-out token after the grace window revokes the whole family', async () => {
    const first = await login();
    const second = await refresh(first.body.refresh_token);
    clock.advance(11_000);
    const reuse = await refresh(first.body.refresh_token);
    expect(reuse.status).toBe(400);
    expect(reuse.body.error.code).toBe('ERR_INVALID_GRANT');
    // The legitimate successor is dead too, and so is the access token of that session.
    const successor = await refresh(second.body.refresh_token);
    expect(successor.body.error.code).toBe('ERR_INVALID_GRANT');
    const who = await me(second.body.access_token);
    expect(who.status).toBe(401);
    expect(who.body.error.code).toBe('ERR_INVALID_TOKEN');
    await r.server.services.audit.flush();
    const audit = await r.server.services.storage.audit.list({ type: 'token.reuse_detected', limit: 10 });
    expect(audit).toHaveLength(1);
    const metrics = await r.server.services.metrics.registry.getSingleMetricAsString(
      'keycard_refresh_reuse_detected_total',
    );
    expect(metrics).toMatch(/keycard_refresh_reuse_detected_total 1/);
  });

  it('20 concurrent refreshes of one token within grace all get the same successor; the session survives', async () => {
    const first = await login();
    const results = await Promise.all(Array.from({ length: 20 }, () => refresh(first.body.refresh_token)));
    for (const res of results) expect(res.status).toBe(200);
    const successors = new Set(results.map((res) => res.body.refresh_token));
    expect(successors.size).toBe(1);
    const [successor] = [...successors];
    const next = await refresh(successor as string);
    expect(next.status).toBe(200);
    expect((await me(next.body.access_token)).status).toBe(200);
  });

  it('a duplicate within the grace window is not a logout; grace 0 disables it', async () => {
    const first = await login();
    const a = await refresh(first.body.refresh_token);
    clock.advance(5_000);
    const b = await refresh(first.body.refresh_token);
    expect(b.status).toBe(200);
    expect(b.body.refresh_token).toBe(a.body.refresh_token);

    const strict = await startServer({ sessions: { refreshGraceSeconds: 0 } }, { clock });
    try {
      await addUser(strict, 'bob', PASSWORD);
      const l = await postJson(`${strict.url}/api/login`, { username: 'bob', password: PASSWORD });
      await postJson(`${strict.url}/api/refresh`, { refresh_token: l.body.refresh_token });
      const again = await postJson(`${strict.url}/api/refresh`, { refresh_token: l.body.refresh_token });
      expect(again.body.error.code).toBe('ERR_INVALID_GRANT');
    } finally {
      await strict.close();
    }
  });

  it('idle and absolute lifetimes end refresh', async () => {
    const first = await login();
    clock.advance(14 * 86_400_000 + 1000);
    expect((await refresh(first.body.refresh_token)).body.error.code).toBe('ERR_INVALID_GRANT');

    const again = await login();
    let token = again.body.refresh_token as string;
    for (let day = 0; day < 31; day += 7) {
      clock.advance(7 * 86_400_000);
      const res = await refresh(token);
      if (res.status !== 200) {
        expect(day).toBeGreaterThanOrEqual(28);
        expect(res.body.error.code).toBe('ERR_INVALID_GRANT');
        return;
      }
      token = res.body.refresh_token;
    }
    throw new Error('the absolute lifetime did not end the session');
  });

  it('expired access tokens are refused', async () => {
    const first = await login();
    clock.advance(601_000);
    const who = await me(first.body.access_token);
    expect(who.status).toBe(401);
    expect(who.body.error.code).toBe('ERR_INVALID_TOKEN');
  });

  it('logout revokes the session; logout-all every session', async () => {
    const a = await login();
    const b = await login();
    const out = await postJson(`${r.url}/api/logout`, { refresh_token: a.body.refresh_token });
    expect(out.status).toBe(204);
    expect((await me(a.body.access_token)).status).toBe(401);
    expect((await refresh(a.body.refresh_token)).status).toBe(400);
    expect((await me(b.body.access_token)).status).toBe(200);
    const c = await login();
    const all = await postJson(
      `${r.url}/api/logout-all`,
      {},
      { authorization: `Bearer ${c.body.access_token}` },
    );
    expect(all.status).toBe(204);
    expect((await me(b.body.access_token)).status).toBe(401);
    expect((await me(c.body.access_token)).status).toBe(401);
  });

  it('unknown user, wrong password and disabled user get the identical answer', async () => {
    const user = await addUser(r, 'carol', PASSWORD);
    await r.server.services.storage.users.update(user.id, { disabled: true });
    const answers = await Promise.all([
      postJson(`${r.url}/api/login`, { username: 'nobody', password: PASSWORD }),
      postJson(`${r.url}/api/login`, { username: 'alice', password: 'wrong password' }),
      postJson(`${r.url}/api/login`, { username: 'carol', password: PASSWORD }),
    ]);
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.body).toEqual(answers[0]?.body);
    }
    expect(answers[0]?.body.error.code).toBe('ERR_INVALID_CREDENTIALS');
  });

  it('the OAuth token endpoint runs the password and refresh_token grants', async () => {
    const tok = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      username: 'alice',
      password: PASSWORD,
      client_id: 'keycard-web',
    });
    expect(tok.status).toBe(200);
    expect(tok.body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    const ref = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      refresh_token: tok.body.refresh_token,
      client_id: 'keycard-web',
    });
    expect(ref.status).toBe(200);
    const bad = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      username: 'alice',
      password: 'nope nope nope',
      client_id: 'keycard-web',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('invalid_grant');
  });
});
