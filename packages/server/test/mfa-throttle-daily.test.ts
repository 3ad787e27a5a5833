// The second-factor throttle beyond its short window: a daily cap on wrong codes per account (a
// patient guesser's budget), audited once when reached; and passkey failures counted per source and
// account, so junk assertions cannot spend the account's budget for codes. Real HTTP, frozen clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, postJson, type Running } from './helpers.js';
import { Browser, PASSWORD } from './support/authorize-flow.js';
import { auditOf } from './support/mfa-account.js';
import {
  authenticatorFor,
  enrolPasskey,
  enrolTotp,
  giveRecoveryCodes,
  totpCode,
} from './support/mfa-fixtures.js';
import { mfaRequest, openRequest, startMfaAuthorizeServer } from './support/mfa-flow.js';

const DAILY = 8;
let r: Running;
let clock: Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startMfaAuthorizeServer({
    mfa: { maxFailures: 5, failureWindow: 300, dailyMaxFailures: DAILY },
    // The per-source sign-in limit is not this suite's subject: every attempt here is one sign-in.
    throttle: { loginPerIp: { limit: 1000 } },
  }));
});
afterAll(async () => {
  await r?.close();
});

const login = (username: string, factor: Record<string, string>) =>
  postJson(`${r.url}/api/login`, { username, password: PASSWORD, ...factor });

describe('the daily cap on wrong codes', () => {
  it('after mfa.dailyMaxFailures wrong codes in a day even the right code is refused until the day has passed', async () => {
    const gus = await addUser(r, 'gus', PASSWORD);
    const secret = await enrolTotp(r, gus.id);
    const [recovery] = await giveRecoveryCodes(r, gus.id);
    const start = clock();
    const wrong = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await login('gus', { totp: totpCode(secret, clock(), 7) });
        expect(res.body.error.code).toBe('ERR_MFA_INVALID');
      }
    };
    await wrong(5);
    expect((await login('gus', { totp: totpCode(secret, clock()) })).status).toBe(429);
    clock.advance(301_000);
    await wrong(DAILY - 5);

    // The short window has room again; the day has none.
    clock.advance(301_000);
    const factors: Record<string, string>[] = [
      { totp: totpCode(secret, clock()) },
      { recovery_code: recovery! },
    ];
    for (const factor of factors) {
      const refused = await login('gus', factor);
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('ERR_RATE_LIMITED');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(300);
    }

    // Audited once, when the cap was reached, with no code in it.
    const locked = await auditOf(r, 'mfa.locked', gus.id);
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ actor: gus.id, detail: { failures: DAILY, windowSeconds: 86_400 } });
    expect(JSON.stringify(locked[0])).not.toContain(totpCode(secret, start, 7));

    // A day after the first failures they leave the window: the right code works again.
    clock.set(start + 86_400_000 + 1_000);
    expect((await login('gus', { totp: totpCode(secret, clock()) })).status).toBe(200);
  });
});

describe('passkey failures', () => {
  /** A passkey sign-in at a fresh request whose assertion's signature is broken. */
  async function junkAssertion(authenticator: ReturnType<typeof authenticatorFor>) {
    const browser = new Browser();
    const interaction = await openRequest(r, browser, mfaRequest('desk').params);
    const options = await browser.call(r.url, 'passkey/options', { interaction });
    const response = authenticator.get(options.body.options);
    const signature = Buffer.from(response.response.signature, 'base64url');
    signature[signature.length - 1]! ^= 0x01;
    response.response.signature = signature.toString('base64url');
    return browser.call(r.url, 'passkey', { interaction, challenge: options.body.challenge, response });
  }

  it('are limited per source and account, and never block the account’s codes', async () => {
    clock.advance(61_000);
    const hal = await addUser(r, 'hal', PASSWORD);
    const secret = await enrolTotp(r, hal.id);
    const authenticator = authenticatorFor(r);
    await enrolPasskey(r, hal, authenticator);
    for (let i = 0; i < 5; i++) {
      const res = await junkAssertion(authenticator);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('ERR_PASSKEY_INVALID');
    }
    const throttled = await junkAssertion(authenticator);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('ERR_RATE_LIMITED');

    const withCode = await login('hal', { totp: totpCode(secret, clock()) });
    expect(withCode.status).toBe(200);
    expect(await auditOf(r, 'mfa.failed', hal.id)).toHaveLength(5);
  });
});
