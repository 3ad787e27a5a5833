// DESIGN.md: no secret, code or token in a log line, an audit event or an error message — for the
// second-factor paths. The server logs at trace into a sink the test reads; every TOTP secret and
// otpauth URI, recovery code (used, typed wrong, or unused), mfa_token (pending, enrolment, proven,
// replayed, forged), WebAuthn challenge token and code typed is then looked for in every log line,
// every audit event and every error answer.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { addUser, type Body, postJson, type Running } from './helpers.js';
import { enrolTotpDuringSignIn, passwordStep } from './support/attack-mfa.js';
import { answerOf, Browser, PASSWORD, startSeededAuthorizeServer } from './support/authorize-flow.js';
import { call, login, stepOf, totpAt } from './support/mfa-account.js';
import { authenticatorFor } from './support/mfa-fixtures.js';
import { mfaRequest, openRequest } from './support/mfa-flow.js';

describe('no second-factor secret in a log line, an audit event or an error answer', () => {
  let r: Running;
  let clock: Awaited<ReturnType<typeof startSeededAuthorizeServer>>['clock'];
  const lines: string[] = [];
  const errors: string[] = [];
  const secrets = new Set<string>();
  /** Six digits turn up in log lines by chance (times, ports): looked for only as JSON or form values. */
  const codes = new Set<string>();

  const keep = (...values: (string | undefined)[]) => {
    for (const v of values) if (v !== undefined && v.length >= 8) secrets.add(v);
  };
  const seen = <T extends { status: number; body: Body }>(res: T): T => {
    if (res.status >= 400) errors.push(JSON.stringify(res.body ?? null));
    return res;
  };

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    ({ running: r, clock } = await startSeededAuthorizeServer(
      { mfa: { maxFailures: 50 } },
      { logger: createLogger('trace', sink) },
    ));
    await r.server.services.storage.roles.upsert({
      name: 'staff',
      scopes: [],
      requireMfa: true,
      createdAt: 0,
    });
    r.server.services.directory.invalidate();
  });
  afterAll(async () => {
    await r?.close();
  });

  it('enrolment, sign-in with each factor, replays and wrong values', async () => {
    // From the account page: TOTP with its secret and URI, recovery codes, a passkey.
    await addUser(r, 'sue', PASSWORD);
    const sue = await login(r, 'sue');
    const started = seen(await call(r, 'POST', '/api/mfa/totp/start', { card: sue.card, json: {} }));
    keep(started.body.secret, started.body.otpauth_uri);
    const wrongConfirm = totpAt(started.body.secret, stepOf(clock()) + 5);
    codes.add(wrongConfirm);
    seen(await call(r, 'POST', '/api/mfa/totp/confirm', { card: sue.card, json: { code: wrongConfirm } }));
    const confirmCode = totpAt(started.body.secret, stepOf(clock()));
    codes.add(confirmCode);
    const confirmed = seen(
      await call(r, 'POST', '/api/mfa/totp/confirm', { card: sue.card, json: { code: confirmCode } }),
    );
    expect(confirmed.status).toBe(200);
    keep(...(confirmed.body.recovery_codes as string[]));
    const regOptions = seen(await call(r, 'POST', '/api/mfa/passkeys/options', { card: sue.card, json: {} }));
    keep(regOptions.body.challenge);
    const authenticator = authenticatorFor(r);
    const registered = seen(
      await call(r, 'POST', '/api/mfa/passkeys', {
        card: sue.card,
        json: {
          challenge: regOptions.body.challenge,
          response: authenticator.create(regOptions.body.options),
        },
      }),
    );
    expect(registered.status).toBe(201);
    seen(
      await call(r, 'POST', '/api/mfa/passkeys', {
        card: sue.card,
        json: {
          challenge: regOptions.body.challenge,
          response: authenticator.create(regOptions.body.options),
        },
      }),
    );

    // /api/login with a wrong code, a used code, a wrong and a right recovery code.
    clock.advance(31_000);
    const loginCode = totpAt(started.body.secret, stepOf(clock()));
    codes.add(loginCode);
    const [firstCode, secondCode] = confirmed.body.recovery_codes as string[];
    for (const extra of [
      { totp: '000001' },
      { totp: loginCode },
      { totp: loginCode },
      { recovery_code: 'zzzzz-zzzzz' },
      { recovery_code: firstCode },
      { recovery_code: firstCode },
    ])
      seen(await postJson(`${r.url}/api/login`, { username: 'sue', password: PASSWORD, ...extra }));
    keep('zzzzz-zzzzz');

    // The pages: a pending sign-in, a wrong factor, a recovery code, a replayed and a forged token.
    clock.advance(61_000);
    const step = await passwordStep(r, 'sue');
    const token = step.login.body.mfa.token as string;
    keep(token);
    const at = (body: Record<string, unknown>, b = step.browser) =>
      b.call(r.url, 'mfa', { interaction: step.interaction, ...body }).then(seen);
    await at({ mfa_token: token, recovery_code: 'yyyyy-yyyyy' });
    keep('yyyyy-yyyyy');
    const done = await at({ mfa_token: token, recovery_code: secondCode });
    keep(answerOf(done.body.redirect).code);
    await at({ mfa_token: token, recovery_code: secondCode }, new Browser());
    await at({ mfa_token: `${token.slice(0, -4)}AAAA`, totp: '123456' }, new Browser());

    // A passkey: options for the pending sign-in, a sign-in with it alone, the challenge replayed.
    clock.advance(61_000);
    const pk = await passwordStep(r, 'sue');
    keep(pk.login.body.mfa.token);
    const pkOptions = seen(
      await pk.browser.call(r.url, 'passkey/options', {
        interaction: pk.interaction,
        mfa_token: pk.login.body.mfa.token,
      }),
    );
    keep(pkOptions.body.challenge);
    const browser = new Browser();
    const interaction = await openRequest(r, browser, mfaRequest('desk').params);
    const alone = seen(await browser.call(r.url, 'passkey/options', { interaction }));
    keep(alone.body.challenge);
    const signedIn = seen(
      await browser.call(r.url, 'passkey', {
        interaction,
        challenge: alone.body.challenge,
        response: authenticator.get(alone.body.options),
      }),
    );
    expect(signedIn.status).toBe(200);
    seen(
      await new Browser().call(r.url, 'passkey', {
        interaction,
        challenge: alone.body.challenge,
        response: authenticator.get(alone.body.options),
      }),
    );

    // Enrolment during a sign-in: the enrolment token, the new secret, the proven token, used twice.
    clock.advance(61_000);
    await addUser(r, 'sid', PASSWORD, ['staff']);
    const staff = await passwordStep(r, 'sid');
    keep(staff.login.body.mfa.token);
    const enrolled = await enrolTotpDuringSignIn(r, clock, staff.login.body.mfa.token, staff.interaction);
    keep(enrolled.secret, enrolled.proven, ...enrolled.recoveryCodes);
    const finished = await staff.browser.call(r.url, 'mfa', {
      interaction: staff.interaction,
      mfa_token: enrolled.proven,
    });
    keep(answerOf(finished.body.redirect).code);
    seen(
      await new Browser().call(r.url, 'mfa', { interaction: staff.interaction, mfa_token: enrolled.proven }),
    );
    seen(
      await postJson(`${r.url}/api/mfa/totp/start`, {
        mfa_token: enrolled.proven,
        interaction: staff.interaction,
      }),
    );

    // Regenerated codes (a recent card of a sign-in with a factor).
    clock.advance(61_000);
    const fresh = await login(r, 'sue', { recovery_code: (confirmed.body.recovery_codes as string[])[2] });
    const regenerated = seen(
      await call(r, 'POST', '/api/account/mfa/recovery-codes', { card: fresh.card, json: {} }),
    );
    keep(...(regenerated.body.recovery_codes as string[]));

    await r.server.services.audit.flush();
    const events = JSON.stringify(await r.server.services.storage.audit.list({ limit: 1000 }));
    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    expect(secrets.size).toBeGreaterThan(30);
    expect(errors.length).toBeGreaterThan(8);
    const answers = errors.join('\n');
    for (const secret of secrets) {
      expect(log.includes(secret), `a log line holds ${secret.slice(0, 6)}…`).toBe(false);
      expect(events.includes(secret), `an audit event holds ${secret.slice(0, 6)}…`).toBe(false);
      expect(answers.includes(secret), `an error answer holds ${secret.slice(0, 6)}…`).toBe(false);
    }
    for (const code of codes) {
      for (const form of [`"${code}"`, `=${code}`]) {
        expect(log.includes(form), 'a log line holds a TOTP code').toBe(false);
        expect(events.includes(form), 'an audit event holds a TOTP code').toBe(false);
        expect(answers.includes(form), 'an error answer holds a TOTP code').toBe(false);
      }
    }
    // The request lines are there, without their bodies.
    expect(log).toContain('/api/authorize/mfa');
    expect(log).toContain('/api/mfa/totp/confirm');
  });
});
