// A sign-in waiting for its second factor (`mfa_token`) is tied to the password that was checked:
// once the password is reset or changed, the token no longer completes the sign-in, lists the
// person's passkeys or sets up a factor. Real HTTP on a frozen clock, the demo's SMTP sink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MailSink, startMailSink } from '../../../test/support/mail-sink.js';
import { createUser, updateUser } from '../src/index.js';
import { postJson, type Running } from './helpers.js';
import { Browser, PASSWORD } from './support/authorize-flow.js';
import { lastMailId, MAIL_FROM, nextMail, RESET_SUBJECT, tokenOf } from './support/email-flow.js';
import { enrolTotp, totpCode } from './support/mfa-fixtures.js';
import { mfaRequest, openRequest, startMfaAuthorizeServer } from './support/mfa-flow.js';

const NEW_PASSWORD = 'a brand new passphrase';
let r: Running;
let sink: MailSink;
let clock: Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];

beforeAll(async () => {
  sink = await startMailSink();
  ({ running: r, clock } = await startMfaAuthorizeServer({
    mail: { smtp: { host: '127.0.0.1', port: sink.port }, from: MAIL_FROM },
  }));
});
afterAll(async () => {
  await r?.close();
  await sink?.close();
});

/** The password step at the sign-in pages: the browser, its interaction and the `mfa` answer. */
async function passwordStep(username: string) {
  const browser = new Browser();
  const interaction = await openRequest(r, browser, mfaRequest('desk').params);
  const login = await browser.call(r.url, 'login', { interaction, username, password: PASSWORD });
  expect(login.status).toBe(200);
  expect(login.body.mfa.token).toEqual(expect.any(String));
  return { browser, interaction, token: login.body.mfa.token as string, enrol: login.body.mfa.enrol };
}

describe('an mfa_token after the password changed', () => {
  it('a password reset by mail: the token completes nothing and lists no passkeys', async () => {
    clock.advance(61_000);
    const ivy = await createUser(r.server.services, {
      username: 'ivy',
      password: PASSWORD,
      email: 'ivy@hotel.example',
      emailVerified: true,
    });
    const secret = await enrolTotp(r, ivy.id);
    const { browser, interaction, token } = await passwordStep('ivy');
    expect((await browser.call(r.url, 'passkey/options', { interaction, mfa_token: token })).status).toBe(
      200,
    );

    const seen = lastMailId(sink);
    expect((await postJson(`${r.url}/api/password/forgot`, { login: 'ivy' })).status).toBe(202);
    const reset = tokenOf(await nextMail(sink, 'ivy@hotel.example', RESET_SUBJECT, seen), 'reset');
    expect(
      (await postJson(`${r.url}/api/password/reset`, { token: reset, password: NEW_PASSWORD })).status,
    ).toBe(204);

    const completed = await browser.call(r.url, 'mfa', {
      interaction,
      mfa_token: token,
      totp: totpCode(secret, clock()),
    });
    expect(completed.status).toBe(401);
    expect(completed.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    expect(browser.cookie).toBeUndefined();
    const options = await browser.call(r.url, 'passkey/options', { interaction, mfa_token: token });
    expect(options.status).toBe(401);
    expect(options.body.error.code).toBe('ERR_LOGIN_REQUIRED');
    // The code was not spent on the refused token: the owner signs in with the new password and it.
    expect(await r.server.services.storage.totp.get(ivy.id)).toMatchObject({ lastUsedStep: null });
  });

  it('a password changed by an admin: an enrolment token sets up nothing', async () => {
    clock.advance(61_000);
    const jay = await createUser(r.server.services, {
      username: 'jay',
      password: PASSWORD,
      roles: ['staff'],
    });
    const { interaction, token, enrol } = await passwordStep('jay');
    expect(enrol).toBe(true);
    const start = () => postJson(`${r.url}/api/mfa/totp/start`, { mfa_token: token, interaction });
    expect((await start()).status).toBe(200);

    const admin = { actor: 'admin', request: { ip: null, userAgent: null } };
    await updateUser(r.server.services, jay.id, { password: NEW_PASSWORD }, admin);
    const refused = await start();
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('ERR_LOGIN_REQUIRED');
  });
});
