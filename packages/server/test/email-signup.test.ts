import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MailSink } from '../../../test/support/mail-sink.js';
import { createUser } from '../src/index.js';
import { getJson, postJson, type Running } from './helpers.js';
import {
  EXISTS_SUBJECT,
  lastMailId,
  nextMail,
  settled,
  startMailServer,
  tokenOf,
  VERIFY_SUBJECT,
} from './support/email-flow.js';

const PASSWORD = 'correct horse battery';

/** Everything an answer shows but its `date`. */
async function visible(res: Response) {
  const headers: Array<[string, string]> = [];
  res.headers.forEach((value, name) => {
    if (name !== 'date') headers.push([name, value]);
  });
  return { status: res.status, headers, body: await res.text() };
}

describe('self-service sign-up', () => {
  let r: Running;
  let sink: MailSink;
  let signups = 0;

  const signup = async (username: string, email: string, password = PASSWORD) => {
    const res = await fetch(`${r.url}/api/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, email, password }),
    });
    if (res.status === 202) signups++;
    return res;
  };
  const verify = (token: string) => postJson(`${r.url}/api/email/verify`, { token });
  const me = async (username: string, password = PASSWORD) => {
    const login = await postJson(`${r.url}/api/login`, { username, password });
    expect(login.status).toBe(200);
    return (await getJson(`${r.url}/api/me`, { authorization: `Bearer ${login.body.access_token}` })).body;
  };

  beforeAll(async () => {
    ({ r, sink } = await startMailServer({
      accounts: { signup: true },
      // Even an operator who gives /api/register privileged roles gives sign-up none.
      registration: { roles: ['manager'] },
      throttle: { registerPerIp: { limit: 1000, windowSeconds: 60 } },
    }));
    await createUser(r.server.services, {
      username: 'alice',
      password: PASSWORD,
      email: 'alice@hotel.example',
      emailVerified: true,
    });
  });
  afterAll(() => r?.close());

  it('a new account gets no role and an unverified address; its link verifies it, once', async () => {
    const seen = lastMailId(sink);
    const res = await signup('Dave', 'Dave@Example.com');
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({});
    const mail = await nextMail(sink, 'Dave@Example.com', VERIFY_SUBJECT, seen);
    expect(mail.text).toContain('Hello Dave,');
    const dave = (await r.server.services.storage.users.getByUsername('dave'))!;
    expect(dave).toMatchObject({
      roles: [],
      email: 'Dave@Example.com',
      emailVerifiedAt: null,
      disabled: false,
    });

    const before = await me('dave');
    expect(before).toMatchObject({ roles: [], email: 'Dave@Example.com', email_verified: false });
    expect(before.scope.split(' ')).not.toContain('admin');
    const admin = await getJson(`${r.url}/api/admin/users`, {
      authorization: `Bearer ${(await postJson(`${r.url}/api/login`, { username: 'dave', password: PASSWORD })).body.access_token}`,
    });
    expect(admin.status).toBe(403);

    const token = tokenOf(mail, 'verify-email');
    expect(mail.text).toContain(`${r.url}/#/verify-email?token=${token}`);
    expect((await verify(token)).status).toBe(204);
    const again = await verify(token);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect(await me('dave')).toMatchObject({ email: 'Dave@Example.com', email_verified: true });
    await r.server.services.audit.flush();
    const events = await r.server.services.storage.audit.list({ subject: dave.id, limit: 10 });
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['signup.requested', 'email.verified']));
  });

  it('an existing username or address creates nothing and answers alike; the address’s owner is mailed', async () => {
    const seen = lastMailId(sink);
    const fresh = await signup('erin', 'erin@example.com');
    const expected = await visible(fresh);
    // The username taken (any case), with an address nobody has: nobody is mailed.
    const takenName = await signup('ALICE', 'someone-new@example.com');
    expect(await visible(takenName)).toEqual(expected);
    // The address taken (any case), with a new username: its owner hears of it.
    const takenAddress = await signup('alice2', 'ALICE@hotel.example');
    expect(await visible(takenAddress)).toEqual(expected);
    const notice = await nextMail(sink, 'alice@hotel.example', EXISTS_SUBJECT, seen);
    expect(notice.text).toContain('Hello alice,');
    expect(notice.text).not.toMatch(/token=/);
    await settled(r, 'signup.requested', signups);
    // Erin's verification and alice's notice: nothing went to the address given with a taken name.
    const sent = sink.messages.filter((m) => m.id > seen).flatMap((m) => m.to);
    expect(sent.sort()).toEqual(['alice@hotel.example', 'erin@example.com']);
    const storage = r.server.services.storage;
    expect(await storage.users.getByUsername('alice2')).toBeUndefined();
    expect(await storage.users.getByEmail('someone-new@example.com')).toBeUndefined();
    const events = await storage.audit.list({ type: 'signup.requested', limit: 2 });
    expect(events.map((e) => e.detail.created)).toEqual([false, false]);
  });

  it('signing up again with an address still unverified sends its verification link again', async () => {
    const seen = lastMailId(sink);
    expect((await signup('frank', 'frank@example.com')).status).toBe(202);
    const first = tokenOf(await nextMail(sink, 'frank@example.com', VERIFY_SUBJECT, seen), 'verify-email');
    const later = lastMailId(sink);
    expect((await signup('frank-again', 'frank@example.com', 'another long password')).status).toBe(202);
    const second = tokenOf(await nextMail(sink, 'frank@example.com', VERIFY_SUBJECT, later), 'verify-email');
    expect(await r.server.services.storage.users.getByUsername('frank-again')).toBeUndefined();
    // The newest link is the one that works; it verifies frank, whose account it is.
    expect((await verify(first)).body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect((await verify(second)).status).toBe(204);
    expect(await me('frank')).toMatchObject({ email_verified: true });
  });

  it('input mistakes are refused at once with their codes; nothing is created', async () => {
    const cases: Array<[string, string, string, string]> = [
      ['bad name!', 'gina@example.com', PASSWORD, 'ERR_INVALID_USERNAME'],
      ['gina', 'not-an-address', PASSWORD, 'ERR_VALIDATION'],
      ['gina', 'gina@example.com, evil@example.com', PASSWORD, 'ERR_VALIDATION'],
      ['gina', 'Gina <gina@example.com>', PASSWORD, 'ERR_VALIDATION'],
      ['gina', 'gina@example.com\r\nBcc: evil@example.com', PASSWORD, 'ERR_VALIDATION'],
      ['gina', 'gina@example.com', 'short', 'ERR_WEAK_PASSWORD'],
    ];
    for (const [username, email, password, code] of cases) {
      const res = await signup(username, email, password);
      expect(res.status, email).toBe(400);
      expect((await res.json()).error.code, email).toBe(code);
    }
    expect(await r.server.services.storage.users.getByUsername('gina')).toBeUndefined();
  });

  it('the pages are told sign-up is on', async () => {
    expect((await getJson(`${r.url}/api/ui-config`)).body.accounts).toEqual({
      passwordReset: true,
      signup: true,
      emailVerification: true,
    });
  });
});

describe('sign-up switched off or throttled', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  it('accounts.signup false: 404 ERR_SIGNUP_DISABLED, before the body is read', async () => {
    ({ r } = await startMailServer());
    for (const body of [
      { username: 'dave', email: 'dave@example.com', password: PASSWORD },
      { username: 5 },
    ]) {
      const res = await postJson(`${r.url}/api/signup`, body);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('ERR_SIGNUP_DISABLED');
    }
    expect(await r.server.services.storage.users.getByUsername('dave')).toBeUndefined();
    expect((await getJson(`${r.url}/api/ui-config`)).body.accounts).toMatchObject({
      passwordReset: true,
      signup: false,
    });
  });

  it('per source: throttle.registerPerIp, then 429', async () => {
    ({ r } = await startMailServer({
      accounts: { signup: true },
      throttle: { registerPerIp: { limit: 2, windowSeconds: 3600 } },
    }));
    for (const name of ['h1', 'h2'])
      expect(
        (
          await postJson(`${r.url}/api/signup`, {
            username: name,
            email: `${name}@example.com`,
            password: PASSWORD,
          })
        ).status,
      ).toBe(202);
    const third = await postJson(`${r.url}/api/signup`, {
      username: 'h3',
      email: 'h3@example.com',
      password: PASSWORD,
    });
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('ERR_RATE_LIMITED');
  });
});
