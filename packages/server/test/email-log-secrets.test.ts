import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MailSink } from '../../../test/support/mail-sink.js';
import { afterAnswer } from '../src/accounts/index.js';
import { createUser } from '../src/index.js';
import { createLogger } from '../src/logger.js';
import { postJson, type Running } from './helpers.js';
import {
  lastMailId,
  nextMail,
  RESET_SUBJECT,
  startMailServer,
  tokenOf,
  VERIFY_SUBJECT,
} from './support/email-flow.js';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'NewPassword-4f8a9c2e';
const SIGNUP_PASSWORD = 'SignupPassword-77d1e0b3';

/**
 * DESIGN.md: no secret, password or token in a log line. The email flows at trace level: every
 * token mailed (used, reused, or not), every link and every password sent is looked for in every
 * log line the server wrote and in every audit event it stored.
 */
describe('no email token, link or password in a log line or an audit event', () => {
  let r: Running;
  let sink: MailSink;
  const lines: string[] = [];
  const secrets = new Set<string>([NEW_PASSWORD, SIGNUP_PASSWORD]);

  beforeAll(async () => {
    const logSink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    ({ r, sink } = await startMailServer(
      { accounts: { signup: true } },
      { logger: createLogger('trace', logSink) },
    ));
    await createUser(r.server.services, {
      username: 'alice',
      password: PASSWORD,
      email: 'alice@hotel.example',
      emailVerified: true,
    });
  });
  afterAll(() => r?.close());

  it('forgot, reset (twice), sign-up, verify (twice), change of address', async () => {
    let seen = lastMailId(sink);
    expect((await postJson(`${r.url}/api/password/forgot`, { login: 'alice' })).status).toBe(202);
    const reset = await nextMail(sink, 'alice@hotel.example', RESET_SUBJECT, seen);
    const resetToken = tokenOf(reset, 'reset');
    secrets.add(resetToken);
    secrets.add(`${r.url}/#/reset?token=${resetToken}`);
    expect(
      (await postJson(`${r.url}/api/password/reset`, { token: resetToken, password: NEW_PASSWORD })).status,
    ).toBe(204);
    const reused = await postJson(`${r.url}/api/password/reset`, {
      token: resetToken,
      password: NEW_PASSWORD,
    });
    expect(reused.body.error.code).toBe('ERR_EMAIL_TOKEN_INVALID');
    expect(JSON.stringify(reused.body)).not.toContain(resetToken);

    seen = lastMailId(sink);
    const signup = { username: 'dave', email: 'dave@example.com', password: SIGNUP_PASSWORD };
    expect((await postJson(`${r.url}/api/signup`, signup)).status).toBe(202);
    const verifyToken = tokenOf(
      await nextMail(sink, 'dave@example.com', VERIFY_SUBJECT, seen),
      'verify-email',
    );
    secrets.add(verifyToken);
    expect((await postJson(`${r.url}/api/email/verify`, { token: verifyToken })).status).toBe(204);
    expect((await postJson(`${r.url}/api/email/verify`, { token: verifyToken })).status).toBe(400);

    const card = (await postJson(`${r.url}/api/login`, { username: 'dave', password: SIGNUP_PASSWORD })).body
      .access_token as string;
    seen = lastMailId(sink);
    const res = await fetch(`${r.url}/api/account/email`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${card}` },
      body: JSON.stringify({ email: 'dave@new.example' }),
    });
    expect(res.status).toBe(202);
    const unused = tokenOf(await nextMail(sink, 'dave@new.example', VERIFY_SUBJECT, seen), 'verify-email');
    secrets.add(unused);

    await r.server.services.audit.flush();
    const events = JSON.stringify(await r.server.services.storage.audit.list({ limit: 1000 }));
    expect(lines.length).toBeGreaterThan(10);
    const log = lines.join('');
    for (const secret of secrets) {
      expect(log.includes(secret), 'a log line holds a secret').toBe(false);
      expect(events.includes(secret), 'an audit event holds a secret').toBe(false);
    }
    // The request lines are there, without their bodies.
    expect(log).toContain('/api/password/reset');
  });

  it('work after the answer that fails is logged by name and code, never by its message', async () => {
    const logged: string[] = [];
    const logger = createLogger(
      'trace',
      new Writable({
        write(chunk, _enc, done) {
          logged.push(chunk.toString());
          done();
        },
      }),
    );
    const secret = 'token=Zk3u9Qb1_SECRET_0123456789abcdefghijklmnopq';
    await afterAnswer({ logger }, 'password reset request', async () => {
      throw Object.assign(new Error(`insert failed for ${secret}`), { code: 'ERR_STORAGE_UNAVAILABLE' });
    });
    expect(logged).toHaveLength(1);
    expect(logged[0]).not.toContain(secret);
    expect(JSON.parse(logged[0]!)).toMatchObject({
      msg: 'password reset request: not completed',
      err: { name: 'Error', code: 'ERR_STORAGE_UNAVAILABLE' },
    });
  });
});
