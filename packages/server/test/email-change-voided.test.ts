// A change of address someone asked for with the account's card must not outlive the owner taking
// the account back (a password reset or change, signing out everywhere, an admin disabling it),
// and a confirmed change is told to the previous address. Real HTTP, the demo's SMTP sink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailSink } from '../../../test/support/mail-sink.js';
import { createUser, updateUser } from '../src/index.js';
import { type Body, postJson, type Running } from './helpers.js';
import {
  CHANGED_SUBJECT,
  lastMailId,
  nextMail,
  RESET_SUBJECT,
  startMailServer,
  tokenOf,
  VERIFY_SUBJECT,
} from './support/email-flow.js';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new passphrase';

describe('a pending change of address', () => {
  let r: Running;
  let sink: MailSink;

  const login = async (username: string, password = PASSWORD) => {
    const res = await postJson(`${r.url}/api/login`, { username, password });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  };
  const call = async (method: string, path: string, card: string, body?: unknown) => {
    const res = await fetch(`${r.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${card}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as Body) };
  };
  const add = (username: string, email: string, emailVerified = true) =>
    createUser(r.server.services, { username, password: PASSWORD, email, emailVerified });
  /** Someone holding `username`'s fresh card asks for `email`; returns the link's token. */
  const askForAddress = async (username: string, email: string): Promise<string> => {
    const seen = lastMailId(sink);
    expect((await call('PUT', '/api/account/email', await login(username), { email })).status).toBe(202);
    return tokenOf(await nextMail(sink, email, VERIFY_SUBJECT, seen), 'verify-email');
  };
  const verify = (token: string) => postJson(`${r.url}/api/email/verify`, { token });
  const stored = (id: string) => r.server.services.storage.users.getById(id);

  beforeAll(async () => {
    ({ r, sink } = await startMailServer({ accounts: { mailsPerAccount: { limit: 100 } } }));
  });
  afterAll(() => r?.close());

  it('dies with a password reset: the intruder’s link is refused and the address stays', async () => {
    const owner = await add('alice', 'alice@hotel.example');
    const intruderLink = await askForAddress('alice', 'mallory@evil.example');
    // The owner takes the account back through the mailbox that is still theirs.
    const seen = lastMailId(sink);
    expect((await postJson(`${r.url}/api/password/forgot`, { login: 'alice' })).status).toBe(202);
    const reset = tokenOf(await nextMail(sink, 'alice@hotel.example', RESET_SUBJECT, seen), 'reset');
    const done = await postJson(`${r.url}/api/password/reset`, { token: reset, password: NEW_PASSWORD });
    expect(done.status).toBe(204);

    const refused = await verify(intruderLink);
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect(await stored(owner.id)).toMatchObject({
      email: 'alice@hotel.example',
      emailKey: 'alice@hotel.example',
      emailVerifiedAt: expect.any(Number),
    });
  });

  it('dies with a password change, signing out everywhere, and an admin disabling the account', async () => {
    const changer = await add('bob', 'bob@hotel.example');
    const link = await askForAddress('bob', 'bob-thief@evil.example');
    const changed = await call('POST', '/api/password', await login('bob'), {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(changed.status).toBe(204);
    expect((await verify(link)).body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect((await stored(changer.id))?.email).toBe('bob@hotel.example');

    const leaver = await add('carl', 'carl@hotel.example');
    const leaverLink = await askForAddress('carl', 'carl-thief@evil.example');
    expect((await call('POST', '/api/logout-all', await login('carl'))).status).toBe(204);
    expect((await verify(leaverLink)).body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect((await stored(leaver.id))?.email).toBe('carl@hotel.example');

    // Disabled, then enabled again: the link asked for before does not come back to life.
    const disabled = await add('dora', 'dora@hotel.example');
    const disabledLink = await askForAddress('dora', 'dora-thief@evil.example');
    const admin = { actor: 'admin', request: { ip: null, userAgent: null } };
    await updateUser(r.server.services, disabled.id, { disabled: true }, admin);
    await updateUser(r.server.services, disabled.id, { disabled: false }, admin);
    expect((await verify(disabledLink)).body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect((await stored(disabled.id))?.email).toBe('dora@hotel.example');
  });

  it('once confirmed, is told to the previous verified address; an unverified one is told nothing', async () => {
    await add('erin', 'erin@hotel.example');
    const link = await askForAddress('erin', 'erin@elsewhere.example');
    const seen = lastMailId(sink);
    expect((await verify(link)).status).toBe(204);
    const notice = await nextMail(sink, 'erin@hotel.example', CHANGED_SUBJECT, seen);
    expect(notice.text).toContain('erin@elsewhere.example');
    expect(notice.text).toContain('erin');
    // A notice, not a key: no link that opens anything.
    expect(notice.text).not.toMatch(/token=/);
    expect(notice.html).not.toContain('<a ');

    await add('finn', 'finn-typo@hotel.example', false);
    const unverified = await askForAddress('finn', 'finn@hotel.example');
    const before = lastMailId(sink);
    expect((await verify(unverified)).status).toBe(204);
    await r.server.services.mailer.idle();
    expect(sink.messages.filter((m) => m.id > before)).toEqual([]);
  });
});
