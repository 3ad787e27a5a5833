import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { addUser, postForm, postJson, type Running, startServer, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';

describe('abuse resistance', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('refuses a source after repeated failures for an account, even for the right password', async () => {
    const clock = testClock();
    r = await startServer({}, { clock });
    await addUser(r, 'alice', PASSWORD);
    for (let i = 0; i < 5; i++) {
      const res = await postJson(`${r.url}/api/login`, { username: 'alice', password: `wrong ${i}` });
      expect(res.body.error.code).toBe('ERR_INVALID_CREDENTIALS');
    }
    const locked = await postJson(`${r.url}/api/login`, { username: 'Alice', password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('ERR_RATE_LIMITED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Unknown accounts lock the same way (no enumeration through the throttle).
    for (let i = 0; i < 5; i++) await postJson(`${r.url}/api/login`, { username: 'ghost', password: 'x' });
    expect((await postJson(`${r.url}/api/login`, { username: 'ghost', password: 'x' })).status).toBe(429);
    clock.advance(901_000);
    expect((await postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD })).status).toBe(
      200,
    );
  });

  it('limits attempts per IP on login, token and register endpoints', async () => {
    r = await startServer({
      registration: { enabled: true },
      throttle: {
        loginPerIp: { limit: 3, windowSeconds: 60 },
        tokenPerIp: { limit: 2, windowSeconds: 60 },
        registerPerIp: { limit: 1, windowSeconds: 60 },
      },
    });
    await addUser(r, 'alice', PASSWORD);
    const codes = [];
    for (let i = 0; i < 4; i++) {
      codes.push((await postJson(`${r.url}/api/login`, { username: `u${i}`, password: 'x' })).status);
    }
    expect(codes).toEqual([401, 401, 401, 429]);
    const t1 = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      refresh_token: 'x',
      client_id: 'keycard-web',
    });
    const t2 = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      refresh_token: 'x',
      client_id: 'keycard-web',
    });
    const t3 = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'refresh_token',
      refresh_token: 'x',
      client_id: 'keycard-web',
    });
    expect([t1.status, t2.status, t3.status]).toEqual([400, 400, 429]);
    expect(t3.body).toMatchObject({ error: 'temporarily_unavailable', code: 'ERR_RATE_LIMITED' });
    expect(t3.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await postJson(`${r.url}/api/register`, { username: 'n1', password: PASSWORD })).status).toBe(
      201,
    );
    expect((await postJson(`${r.url}/api/register`, { username: 'n2', password: PASSWORD })).status).toBe(
      429,
    );
  });

  it('logs redact passwords, tokens, secrets and cookies', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger('trace', sink);
    r = await startServer({}, { logger });
    await addUser(r, 'alice', PASSWORD);
    const login = await postJson(`${r.url}/api/login`, {
      username: 'alice',
      password: PASSWORD,
      cookie: true,
    });
    const csrf = login.headers.getSetCookie().join(';');
    await postJson(`${r.url}/api/refresh`, {}, { cookie: csrf, 'x-csrf-token': 'x' });
    await fetch(`${r.url}/api/me`, { headers: { authorization: `Bearer ${login.body.access_token}` } });
    logger.info({ password: PASSWORD, body: { refresh_token: 'rt-secret', client_secret: 'cs' } }, 'probe');
    const text = lines.join('');
    expect(text).toContain('probe');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(login.body.access_token);
    expect(text).not.toContain('rt-secret');
    expect(text).not.toMatch(/"cs"/);
  });
});
