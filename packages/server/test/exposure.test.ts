import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { addUser, getJson, postForm, postJson, type Running, startServer, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';
const METRICS_TOKEN = 'scrape-Token_0123456789abcdefghijklmnopqrstuvwxyz';

describe('what the server exposes', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('/metrics answers only a scraper with metrics.token; /healthz stays public', async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const closed = await fetch(`${r.url}/metrics`);
    expect(closed.status).toBe(401);
    expect(closed.headers.get('www-authenticate')).toBe('Bearer');
    expect(await closed.text()).not.toMatch(/keycard_/);
    const guessed = await fetch(`${r.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(guessed.status).toBe(401);
    expect((await getJson(`${r.url}/healthz`)).status).toBe(200);
    await r.close();

    r = await startServer({ databaseUrl: 'memory', metrics: { token: METRICS_TOKEN } });
    for (const authorization of [
      undefined,
      'Bearer nope',
      `Basic ${METRICS_TOKEN}`,
      `Bearer ${METRICS_TOKEN}x`,
    ]) {
      const res = await fetch(`${r.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(res.status, authorization).toBe(401);
      expect(await res.text()).not.toMatch(/keycard_logins_total/);
    }
    const ok = await fetch(`${r.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/keycard_logins_total/);
    expect((await getJson(`${r.url}/healthz`)).body).toEqual({ status: 'ok' });
  });

  it('sends HSTS when the issuer is https, not when it is http', async () => {
    r = await startServer({ databaseUrl: 'memory', issuer: 'https://auth.example.test' });
    for (const path of ['/healthz', '/.well-known/openid-configuration', '/nothing']) {
      const res = await fetch(`${r.url}${path}`);
      expect(res.headers.get('strict-transport-security'), path).toBe('max-age=31536000');
    }
    await r.close();
    r = await startServer({ databaseUrl: 'memory' });
    expect((await fetch(`${r.url}/healthz`)).headers.get('strict-transport-security')).toBeNull();
  });

  it('the grace answer, the revocation feed and the audit log never carry a secret', async () => {
    const clock = testClock(Date.now());
    r = await startServer({ databaseUrl: 'memory' }, { clock });
    const ctx = r.server.services;
    await addUser(r, 'carol', PASSWORD);
    await addUser(r, 'boss', `${PASSWORD} boss`, ['manager']);
    const { secret } = await createClient(ctx, {
      id: 'desk',
      type: 'confidential',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['keycard'],
      scopes: [],
    });
    const basic = (s: string) => ({ authorization: `Basic ${Buffer.from(`desk:${s}`).toString('base64')}` });
    const secrets: string[] = [PASSWORD, secret!];
    const token = (form: Record<string, string>, s = secret!) =>
      postForm(`${r!.url}/oauth/token`, form, basic(s));

    const first = await token({ grant_type: 'password', username: 'carol', password: PASSWORD });
    expect(first.status).toBe(200);
    secrets.push(first.body.refresh_token, first.body.access_token);
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(rotated.status).toBe(200);
    const grace = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(grace.status).toBe(200);
    expect(grace.body.refresh_token).toBe(rotated.body.refresh_token);
    // The grace answer is the successor for the same client: never the presented token, the
    // password or the client secret.
    const graceText = JSON.stringify(grace.body);
    for (const s of [PASSWORD, secret!, first.body.refresh_token, first.body.access_token]) {
      expect(graceText).not.toContain(s);
    }
    secrets.push(rotated.body.refresh_token, rotated.body.access_token, grace.body.access_token);

    // Failures that carry secrets in their requests: a wrong password, a wrong client secret,
    // a wrong current password, a reuse after the grace window, a revocation and a logout.
    await token({ grant_type: 'password', username: 'carol', password: `${PASSWORD}!` });
    await token({ grant_type: 'password', username: 'carol', password: PASSWORD }, `${secret}x`);
    secrets.push(`${PASSWORD}!`, `${secret}x`);
    const web = await postJson(`${r.url}/api/login`, { username: 'carol', password: PASSWORD });
    secrets.push(web.body.refresh_token, web.body.access_token);
    await postJson(
      `${r.url}/api/password`,
      { currentPassword: 'not it at all', newPassword: 'a brand new passphrase' },
      { authorization: `Bearer ${web.body.access_token}` },
    );
    secrets.push('not it at all', 'a brand new passphrase');
    clock.advance(60_000);
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
    expect(reuse.body.error).toBe('invalid_grant');
    const third = await token({ grant_type: 'password', username: 'carol', password: PASSWORD });
    secrets.push(third.body.refresh_token, third.body.access_token);
    await postForm(`${r.url}/oauth/revoke`, { token: third.body.refresh_token }, basic(secret!));
    await postJson(`${r.url}/api/logout`, { refresh_token: web.body.refresh_token });

    const boss = await postJson(`${r.url}/api/login`, { username: 'boss', password: `${PASSWORD} boss` });
    const admin = { authorization: `Bearer ${boss.body.access_token}` };
    const audit = await getJson(`${r.url}/api/admin/audit?limit=500`, admin);
    expect(audit.status).toBe(200);
    expect(audit.body.events.length).toBeGreaterThan(8);
    const types = new Set(audit.body.events.map((e: { type: string }) => e.type));
    for (const type of ['login.failure', 'token.reuse_detected']) expect(types).toContain(type);
    const feed = await getJson(`${r.url}/revocations`);
    expect(feed.body.events.length).toBeGreaterThan(0);
    const stream = await fetch(`${r.url}/revocations/stream`, { headers: { 'last-event-id': '0' } });
    const reader = stream.body!.getReader();
    let streamed = '';
    while (!streamed.includes(`id: ${feed.body.events.at(-1).cursor}`)) {
      const { value, done } = await reader.read();
      if (done) break;
      streamed += new TextDecoder().decode(value);
    }
    await reader.cancel();

    for (const [where, text] of [
      ['audit', JSON.stringify(audit.body)],
      ['feed', JSON.stringify(feed.body)],
      ['stream', streamed],
    ] as const) {
      for (const s of secrets) expect(text.includes(s), `${where} carries a secret`).toBe(false);
    }
  });
});
