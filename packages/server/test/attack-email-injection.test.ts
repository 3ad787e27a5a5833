// An outside attacker shaping what goes into a mail, over real HTTP with mail delivered to the local
// SMTP sink: a Host (or forwarded host) that is not the issuer must never change the link mailed,
// and CR/LF, address lists, display names or comments in the fields that become mail headers must
// never add a recipient.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailSink } from '../../../test/support/mail-sink.js';
import { createUser } from '../src/index.js';
import { postJson, type Running } from './helpers.js';
import { PASSWORD } from './support/authorize-flow.js';
import { startMailHotel, verifiedPerson } from './support/email-attack.js';
import { lastMailId, nextMail, RESET_SUBJECT, settled, tokenOf } from './support/email-flow.js';
import { call, login } from './support/mfa-account.js';

let sink: MailSink;
let r: Running;
let clock: Awaited<ReturnType<typeof startMailHotel>>['clock'];
let forgotCalls = 0;

beforeAll(async () => {
  ({ sink, running: r, clock } = await startMailHotel());
});
afterAll(async () => {
  await r?.close();
  await sink?.close();
});

const person = (name: string) => verifiedPerson(r, clock, name);

/** A raw POST with headers fetch would not let through (`Host`). */
function rawPost(path: string, body: unknown, headers: Record<string, string>): Promise<number> {
  const url = new URL(r.url);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(data),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

describe('the link in the mail', () => {
  it('always names the issuer, whatever Host, X-Forwarded-Host or Forwarded say', async () => {
    const { address } = await person('ian');
    const issuer = r.server.services.issuer;
    const variants: Record<string, string>[] = [
      { host: 'evil.example' },
      { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' },
      { forwarded: 'host=evil.example;proto=https' },
      { host: 'evil.example', 'x-forwarded-host': 'evil.example' },
    ];
    for (const headers of variants) {
      const seen = lastMailId(sink);
      expect(await rawPost('/api/password/forgot', { login: 'ian' }, headers)).toBe(202);
      const mail = await nextMail(sink, address, RESET_SUBJECT, seen);
      expect(mail.text).not.toContain('evil.example');
      expect(mail.html).not.toContain('evil.example');
      expect(mail.text).toContain(`${issuer}/#/reset?token=${tokenOf(mail, 'reset')}`);
    }
  });
});

describe('header injection through the fields that reach a mail', () => {
  const EVIL = 'evil@evil.example';
  const mailedEvil = () =>
    sink.messages.some((m) => m.to.some((t) => t.toLowerCase().includes('evil.example')));

  it('sign-up, change of address and an admin’s address refuse CR/LF, lists, display names and brackets', async () => {
    const bad = [
      `dan@hotel.example\r\nBcc: ${EVIL}`,
      `dan@hotel.example\nBcc: ${EVIL}`,
      `dan@hotel.example,${EVIL}`,
      `dan@hotel.example;${EVIL}`,
      `"Dan" <${EVIL}>`,
      `<${EVIL}>`,
      `dan@hotel.example\r\n\r\n<html>`,
      `dan@hotel.example\u2028Bcc: ${EVIL}`,
      `dan(${EVIL})@hotel.example`,
      `"${EVIL}"@hotel.example`,
    ];
    clock.advance(61_000);
    const { user } = await person('jem');
    const { card } = await login(r, 'jem');
    const admin = await createUser(r.server.services, {
      username: 'kit',
      password: PASSWORD,
      roles: ['manager'],
    });
    const { card: adminCard } = await login(r, 'kit');
    for (const email of bad) {
      const signup = await postJson(`${r.url}/api/signup`, { username: 'dan', email, password: PASSWORD });
      expect(signup.status, JSON.stringify(email)).toBe(400);
      expect(signup.body.error.code).toBe('ERR_VALIDATION');
      expect(JSON.stringify(signup.body)).not.toContain('evil');
      const change = await call(r, 'PUT', '/api/account/email', { card, json: { email } });
      expect(change.status, JSON.stringify(email)).toBe(400);
      expect(change.body.error.code).toBe('ERR_VALIDATION');
      const byAdmin = await call(r, 'PATCH', `/api/admin/users/${user.id}`, {
        card: adminCard,
        json: { email },
      });
      expect(byAdmin.status, JSON.stringify(email)).toBe(400);
    }
    expect(await r.server.services.storage.users.getByUsername('dan')).toBeUndefined();
    expect((await r.server.services.storage.users.getById(user.id))?.email).toBe('jem@hotel.example');
    void admin;
    await settled(r, 'signup.requested', 0);
    expect(mailedEvil()).toBe(false);
  });

  it('a forgotten-password login with CR/LF or a list answers 202 and mails only the account’s own address', async () => {
    const { address } = await person('lia');
    for (const login of [
      `lia\r\nBcc: ${EVIL}`,
      `${address}\r\nBcc: ${EVIL}`,
      `${address},${EVIL}`,
      `lia@hotel.example\nTo: ${EVIL}`,
    ]) {
      const res = await postJson(`${r.url}/api/password/forgot`, { login });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({});
      forgotCalls++;
    }
    await settled(r, 'password.reset_requested', forgotCalls);
    expect(mailedEvil()).toBe(false);
    for (const m of sink.messages) expect(m.to).toHaveLength(1);
  });
});
