import { parseStepUpChallenge } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailSink } from '../../../test/support/mail-sink.js';
import { createUser } from '../src/index.js';
import { type Body, getJson, postJson, type Running } from './helpers.js';
import {
  CHANGED_SUBJECT,
  lastMailId,
  nextMail,
  RESET_SUBJECT,
  settled,
  startMailServer,
  tokenOf,
  VERIFY_SUBJECT,
} from './support/email-flow.js';
import { cardOf as cardSignedInAt } from './support/mfa-account.js';

const PASSWORD = 'correct horse battery';

/**
 * The account's address: changed by its owner (only once the new address is proven) or set by an
 * admin (verified), shown in `/api/me` and the admin API.
 */
describe('the account’s email address', () => {
  let r: Running;
  let sink: MailSink;
  let changes = 0;
  let boss: string;

  const cardOf = async (username: string) =>
    (await postJson(`${r.url}/api/login`, { username, password: PASSWORD })).body.access_token as string;
  const change = async (card: string, email: unknown) => {
    const res = await fetch(`${r.url}/api/account/email`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${card}` },
      body: JSON.stringify({ email }),
    });
    const text = await res.text();
    if (res.status === 202) changes++;
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as Body) };
  };
  const me = async (card: string) =>
    (await getJson(`${r.url}/api/me`, { authorization: `Bearer ${card}` })).body;
  const verify = (token: string) => postJson(`${r.url}/api/email/verify`, { token });
  const add = (username: string, email?: string, emailVerified = true) =>
    createUser(r.server.services, {
      username,
      password: PASSWORD,
      ...(email === undefined ? {} : { email, emailVerified }),
    });
  const adminCall = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${r.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${boss}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as Body) };
  };

  beforeAll(async () => {
    ({ r, sink } = await startMailServer({ accounts: { mailsPerAccount: { limit: 100 } } }));
    await createUser(r.server.services, { username: 'boss', password: PASSWORD, roles: ['manager'] });
    boss = await cardOf('boss');
  });
  afterAll(() => r?.close());

  it('a new address replaces the old one only once its link is used; links to the old one stop working', async () => {
    await add('alice', 'alice@hotel.example');
    const card = await cardOf('alice');
    expect(await me(card)).toMatchObject({ email: 'alice@hotel.example', email_verified: true });
    let seen = lastMailId(sink);
    expect((await postJson(`${r.url}/api/password/forgot`, { login: 'alice' })).status).toBe(202);
    const resetToken = tokenOf(await nextMail(sink, 'alice@hotel.example', RESET_SUBJECT, seen), 'reset');

    seen = lastMailId(sink);
    expect(await change(card, 'Alice@Elsewhere.example')).toEqual({ status: 202, body: {} });
    const mail = await nextMail(sink, 'Alice@Elsewhere.example', VERIFY_SUBJECT, seen);
    // Nothing changed yet: the verified address still receives the reset links.
    expect(await me(card)).toMatchObject({ email: 'alice@hotel.example', email_verified: true });
    seen = lastMailId(sink);
    expect((await verify(tokenOf(mail, 'verify-email'))).status).toBe(204);
    expect(await me(card)).toMatchObject({ email: 'Alice@Elsewhere.example', email_verified: true });
    // The old address hears of it, in case it was not its owner.
    const notice = await nextMail(sink, 'alice@hotel.example', CHANGED_SUBJECT, seen);
    expect(notice.text).toContain('Alice@Elsewhere.example');
    expect(notice.text).not.toMatch(/token=/);
    const stale = await postJson(`${r.url}/api/password/reset`, {
      token: resetToken,
      password: 'another password!',
    });
    expect(stale.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    await r.server.services.audit.flush();
    const [verified] = await r.server.services.storage.audit.list({ type: 'email.verified', limit: 1 });
    expect(verified?.detail).toEqual({ changed: true });
  });

  it('an address another account has verified: 202, no mail, no change (no enumeration)', async () => {
    await add('bob', 'bob@hotel.example');
    await add('carol', 'carol@hotel.example');
    const card = await cardOf('bob');
    const before = sink.messages.length;
    expect(await change(card, 'CAROL@hotel.example')).toEqual({ status: 202, body: {} });
    await settled(r, 'email.change_requested', changes);
    expect(sink.messages.length).toBe(before);
    expect(await me(card)).toMatchObject({ email: 'bob@hotel.example', email_verified: true });
    const [event] = await r.server.services.storage.audit.list({ type: 'email.change_requested', limit: 1 });
    expect(event?.detail).toEqual({ outcome: 'taken' });
  });

  it('an address another account holds unverified goes to the account that proves it', async () => {
    const squatter = await add('dave', 'erin@hotel.example', false);
    await add('erin');
    const card = await cardOf('erin');
    const seen = lastMailId(sink);
    expect((await change(card, 'erin@hotel.example')).status).toBe(202);
    const mail = await nextMail(sink, 'erin@hotel.example', VERIFY_SUBJECT, seen);
    expect((await verify(tokenOf(mail, 'verify-email'))).status).toBe(204);
    expect(await me(card)).toMatchObject({ email: 'erin@hotel.example', email_verified: true });
    const dave = await r.server.services.storage.users.getById(squatter.id);
    expect(dave).toMatchObject({ email: null, emailKey: null, emailVerifiedAt: null });
  });

  it('the own unverified address gets its link again; the own verified one nothing', async () => {
    await add('frank', 'frank@hotel.example', false);
    const card = await cardOf('frank');
    expect(await me(card)).toMatchObject({ email: 'frank@hotel.example', email_verified: false });
    const seen = lastMailId(sink);
    expect((await change(card, 'frank@hotel.example')).status).toBe(202);
    const token = tokenOf(await nextMail(sink, 'frank@hotel.example', VERIFY_SUBJECT, seen), 'verify-email');
    expect((await verify(token)).status).toBe(204);
    expect(await me(card)).toMatchObject({ email_verified: true });
    const before = sink.messages.length;
    expect((await change(card, 'frank@hotel.example')).status).toBe(202);
    await settled(r, 'email.change_requested', changes);
    expect(sink.messages.length).toBe(before);
  });

  it('needs a card; refuses what is no address', async () => {
    const none = await fetch(`${r.url}/api/account/email`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'x@example.com' }),
    });
    expect(none.status).toBe(401);
    const card = await cardOf('boss');
    for (const email of [
      'nope',
      'a@b',
      'a@@b.example',
      'a b@example.com',
      5,
      'x'.repeat(250) + '@example.com',
    ]) {
      const res = await change(card, email);
      expect(res.status, String(email)).toBe(400);
      expect(res.body.error.code).toBe('ERR_VALIDATION');
    }
  });

  it('admin API: an address an admin sets is verified; another user’s is a conflict; null removes it', async () => {
    const created = await adminCall('POST', '/api/admin/users', {
      username: 'gina',
      password: PASSWORD,
      email: 'Gina@Hotel.example',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: 'gina',
      email: 'Gina@Hotel.example',
      emailVerified: true,
    });
    const taken = await adminCall('POST', '/api/admin/users', {
      username: 'gina2',
      password: PASSWORD,
      email: 'gina@hotel.example',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('ERR_CONFLICT');
    const plain = await adminCall('POST', '/api/admin/users', { username: 'hank', password: PASSWORD });
    expect(plain.body).toMatchObject({ email: null, emailVerified: false });

    const id = plain.body.id as string;
    const set = await adminCall('PATCH', `/api/admin/users/${id}`, { email: 'hank@hotel.example' });
    expect(set.body).toMatchObject({ email: 'hank@hotel.example', emailVerified: true });
    const conflict = await adminCall('PATCH', `/api/admin/users/${id}`, { email: 'GINA@hotel.example' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('ERR_CONFLICT');
    const bad = await adminCall('PATCH', `/api/admin/users/${id}`, { email: 'not an address' });
    expect(bad.body.error.code).toBe('ERR_VALIDATION');
    const removed = await adminCall('PATCH', `/api/admin/users/${id}`, { email: null });
    expect(removed.body).toMatchObject({ email: null, emailVerified: false });
    const list = await adminCall('GET', '/api/admin/users?limit=1000');
    expect(list.body.users.find((u: Body) => u.username === 'gina')).toMatchObject({
      email: 'Gina@Hotel.example',
      emailVerified: true,
    });
  });
  it('changing the address needs a recent sign-in (it is where password resets go)', async () => {
    const user = await add('stale', 'stale@hotel.example');
    const login = await postJson(`${r.url}/api/login`, { username: 'stale', password: PASSWORD });
    const now = r.server.services.clock();
    const stale = await cardSignedInAt(r, user, login.body.session_id, {
      amr: ['pwd'],
      authTime: now - (r.server.services.config.mfa.recentAuthMaxAge + 60) * 1000,
    });
    const res = await fetch(`${r.url}/api/account/email`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stale}` },
      body: JSON.stringify({ email: 'thief@evil.example' }),
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as Body).error.code).toBe('ERR_STEP_UP_REQUIRED');
    expect(parseStepUpChallenge(res.headers.get('www-authenticate'))?.maxAge).toBe(
      r.server.services.config.mfa.recentAuthMaxAge,
    );
    expect((await me(login.body.access_token)).email).toBe('stale@hotel.example');
  });
});
