import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, startMailSink } from '../../../test/support/mail-sink.js';
import { createUser, updateUser } from '../src/index.js';
import { type Body, getJson, postJson, type Running, type testClock } from './helpers.js';
import { PASSWORD, signedInBrowser, startSeededAuthorizeServer } from './support/authorize-flow.js';
import { lastMailId, MAIL_FROM, nextMail, RESET_SUBJECT, settled, tokenOf } from './support/email-flow.js';

/**
 * "Forgot password" end to end over loopback: a real server mails the reset link to the demo's SMTP
 * sink, the test reads the link out of the mail and uses it. The clock is frozen (expiry).
 */
describe('password reset by email', () => {
  let r: Running;
  let sink: MailSink;
  let clock: ReturnType<typeof testClock>;
  const admin = { actor: 'test-admin', request: { ip: null, userAgent: null } };
  const NEW_PASSWORD = 'a brand new password';
  const ALICE = 'alice@hotel.example';
  let requested = 0;

  const forgot = async (login: string) => {
    const res = await postJson(`${r.url}/api/password/forgot`, { login });
    requested++;
    return res;
  };
  const reset = (token: string, password = NEW_PASSWORD) =>
    postJson(`${r.url}/api/password/reset`, { token, password });
  const resetLink = async (login: string, to = login) => {
    const seen = lastMailId(sink);
    expect((await forgot(login)).status).toBe(202);
    return tokenOf(await nextMail(sink, to, RESET_SUBJECT, seen), 'reset');
  };
  const login = (username: string, password: string) =>
    postJson(`${r.url}/api/login`, { username, password });
  const userNamed = async (name: string) => (await r.server.services.storage.users.getByUsername(name))!;
  const withAddress = async (name: string, email: string) =>
    updateUser(r.server.services, (await userNamed(name)).id, { email }, admin);

  beforeAll(async () => {
    sink = await startMailSink();
    const started = await startSeededAuthorizeServer({
      mail: { smtp: { host: '127.0.0.1', port: sink.port }, from: MAIL_FROM },
      // This suite mails alice more than the default 3 a quarter-hour (email-forgot tests that budget).
      accounts: { mailsPerAccount: { limit: 100 }, requestsPerIp: { limit: 1000 } },
    });
    r = started.running;
    clock = started.clock;
    await withAddress('alice', ALICE);
  });
  afterAll(async () => {
    await r?.close();
    await sink?.close();
  });

  it('mails a link that works once; every session and browser session of the user ends, on the feed too', async () => {
    const alice = await userNamed('alice');
    const browser = await signedInBrowser(r, clock);
    expect(browser.cookie).toBeDefined();
    const signedIn = await login('alice', PASSWORD);
    expect(signedIn.status).toBe(200);
    const other = await login('alice', PASSWORD);
    const cursor = (await getJson(`${r.url}/revocations`)).body.cursor as number;
    expect(await r.server.services.storage.browserSessions.listByUser(alice.id)).toHaveLength(1);

    const seen = lastMailId(sink);
    const answer = await forgot('alice');
    expect(answer).toMatchObject({ status: 202, body: {} });
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const mail = await nextMail(sink, ALICE, RESET_SUBJECT, seen);
    expect(mail.to).toEqual([ALICE]);
    expect(mail.from).toContain(MAIL_FROM);
    const token = tokenOf(mail, 'reset');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail.text).toContain(`${r.url}/#/reset?token=${token}`);
    expect(mail.html).toContain(`${r.url}/#/reset?token=${token}`);

    expect(await reset(token)).toMatchObject({ status: 204 });
    const again = await reset(token, 'yet another password');
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');

    // Sessions: the refresh tokens and the cards of both are dead, and the feed carries each.
    for (const s of [signedIn, other]) {
      const refreshed = await postJson(`${r.url}/api/refresh`, { refresh_token: s.body.refresh_token });
      expect(refreshed.status).toBe(400);
      expect(refreshed.body.error.code).toBe('ERR_INVALID_GRANT');
      const me = await getJson(`${r.url}/api/me`, { authorization: `Bearer ${s.body.access_token}` });
      expect(me.status).toBe(401);
    }
    const feed = (await getJson(`${r.url}/revocations?after=${cursor}`)).body as Body;
    const revoked = feed.events.filter((e: Body) => e.type === 'session').map((e: Body) => e.sid);
    expect(revoked).toEqual(expect.arrayContaining([signedIn.body.session_id, other.body.session_id]));
    // The browser's single sign-on is over too.
    expect(await r.server.services.storage.browserSessions.listByUser(alice.id)).toEqual([]);

    expect((await login('alice', PASSWORD)).status).toBe(401);
    expect((await login('alice', NEW_PASSWORD)).status).toBe(200);
    await r.server.services.audit.flush();
    const [done] = await r.server.services.storage.audit.list({ type: 'password.reset', limit: 5 });
    expect(done).toMatchObject({ actor: alice.id, subject: alice.id, detail: { revokedSessions: 2 } });
    const [asked] = await r.server.services.storage.audit.list({
      type: 'password.reset_requested',
      limit: 1,
    });
    expect(asked).toMatchObject({ subject: alice.id, detail: { sent: true } });
    await updateUser(r.server.services, alice.id, { password: PASSWORD }, admin);
  });

  it('a link past accounts.resetTtl is refused', async () => {
    const token = await resetLink(ALICE);
    clock.advance(1800 * 1000);
    const late = await reset(token);
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    const after = await login('alice', PASSWORD);
    expect(after.status, JSON.stringify(after.body)).toBe(200);
  });

  it('a newer link voids the older one; using one voids the rest', async () => {
    const first = await resetLink(ALICE);
    const second = await resetLink(ALICE);
    expect(second).not.toBe(first);
    expect((await reset(first)).body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect((await reset(second)).status).toBe(204);
    await updateUser(r.server.services, (await userNamed('alice')).id, { password: PASSWORD }, admin);
  });

  it('a refused password leaves the link working; malformed and unknown tokens get the one answer', async () => {
    const token = await resetLink(ALICE);
    const weak = await reset(token, 'short');
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('ERR_WEAK_PASSWORD');
    for (const bad of [
      '',
      'x',
      `${token}x`,
      token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      '../../etc',
    ]) {
      const res = await reset(bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.error.code, bad).toBe('ERR_EMAIL_TOKEN_INVALID');
    }
    // A reset token is no verification token, and the other way round.
    expect((await postJson(`${r.url}/api/email/verify`, { token })).body.error.code).toBe(
      'ERR_EMAIL_TOKEN_INVALID',
    );
    expect((await reset(token)).status).toBe(204);
    await updateUser(r.server.services, (await userNamed('alice')).id, { password: PASSWORD }, admin);
  });

  it('the login may be the address, in any case', async () => {
    const seen = lastMailId(sink);
    expect((await forgot('  ALICE@Hotel.EXAMPLE ')).status).toBe(202);
    const token = tokenOf(await nextMail(sink, ALICE, RESET_SUBJECT, seen), 'reset');
    expect((await reset(token)).status).toBe(204);
    await updateUser(r.server.services, (await userNamed('alice')).id, { password: PASSWORD }, admin);
  });

  it('a disabled account, or an address changed since, makes the link invalid', async () => {
    const ctx = r.server.services;
    const bob = await createUser(ctx, {
      username: 'bob',
      password: PASSWORD,
      email: 'bob@hotel.example',
      emailVerified: true,
    });
    const token = await resetLink('bob', 'bob@hotel.example');
    await updateUser(ctx, bob.id, { disabled: true }, admin);
    expect((await reset(token)).body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');

    const carol = await createUser(ctx, {
      username: 'carol',
      password: PASSWORD,
      email: 'carol@hotel.example',
      emailVerified: true,
    });
    const carols = await resetLink('carol', 'carol@hotel.example');
    await updateUser(ctx, carol.id, { email: 'carol@elsewhere.example' }, admin);
    expect((await reset(carols)).body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect((await login('carol', PASSWORD)).status).toBe(200);
  });

  it('no mail for an unknown login, an unverified address, a disabled account or no address: still 202 {}', async () => {
    const ctx = r.server.services;
    await createUser(ctx, { username: 'dave', password: PASSWORD, email: 'dave@hotel.example' });
    const erin = await createUser(ctx, {
      username: 'erin',
      password: PASSWORD,
      email: 'erin@hotel.example',
      emailVerified: true,
    });
    await updateUser(ctx, erin.id, { disabled: true }, admin);
    await createUser(ctx, { username: 'frank', password: PASSWORD });
    const before = sink.messages.length;
    for (const login of ['nobody', 'nobody@hotel.example', 'dave', 'dave@hotel.example', 'erin', 'frank']) {
      const res = await forgot(login);
      expect(res.status, login).toBe(202);
      expect(res.body, login).toEqual({});
    }
    await settled(r, 'password.reset_requested', requested);
    expect(sink.messages.length).toBe(before);
    const events = await ctx.storage.audit.list({ type: 'password.reset_requested', limit: 6 });
    expect(events.map((e) => e.detail.reason).reverse()).toEqual([
      'unknown_login',
      'unknown_login',
      'no_verified_email',
      'no_verified_email',
      'disabled',
      'no_verified_email',
    ]);
    // An unknown login is recorded by a keyed fingerprint, never as typed (it may be a password).
    expect(events.at(-1)!.subject).toMatch(/^unknown login [0-9a-f]{12}$/);
    expect(JSON.stringify(events)).not.toContain('nobody');
  });
});
