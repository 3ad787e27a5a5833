// A second factor at /api/login (TOTP, recovery codes) and the password grant refusing people who
// need one, over real HTTP on a frozen clock: replay and the ±1 step window, single-use recovery
// codes, the per-account failure throttle, the card's amr/acr, and no hint without the password.
import { ACR } from '@keycard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, postForm, postJson, type Running, startServer, testClock } from './helpers.js';
import { enrolTotp, giveRecoveryCodes, payloadOf, totpCode } from './support/mfa-fixtures.js';

const PASSWORD = 'correct horse battery';
const clock = testClock(Date.UTC(2030, 0, 1, 12, 0, 10));
let r: Running;

beforeAll(async () => {
  r = await startServer({ mfa: { maxFailures: 4, failureWindow: 300 } }, { clock });
  const { storage } = r.server.services;
  await storage.roles.upsert({ name: 'guest', scopes: [], createdAt: 0 });
  await storage.roles.upsert({ name: 'staff', scopes: [], requireMfa: true, createdAt: 0 });
});
afterAll(async () => {
  await r?.close();
});

/** A new user (and a fresh per-IP login window, so suites do not run into it). */
async function user(name: string, roles = ['guest']) {
  clock.advance(61_000);
  return addUser(r, name, PASSWORD, roles);
}

const login = (body: Record<string, unknown>) => postJson(`${r.url}/api/login`, body);

describe('/api/login with TOTP', () => {
  it('needs the code after the password: missing → ERR_MFA_REQUIRED, wrong → ERR_MFA_INVALID, right → a card of acr mfa', async () => {
    const u = await user('tina');
    const secret = await enrolTotp(r, u.id);
    const missing = await login({ username: 'tina', password: PASSWORD });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('ERR_MFA_REQUIRED');
    const wrong = await login({ username: 'tina', password: PASSWORD, totp: totpCode(secret, clock(), 5) });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('ERR_MFA_INVALID');
    const ok = await login({ username: 'tina', password: PASSWORD, totp: totpCode(secret, clock()) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    const card = payloadOf(ok.body.access_token);
    expect(card).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      acr: ACR.mfa,
      auth_time: Math.floor(clock() / 1000),
    });
    const session = await r.server.services.storage.sessions.get(ok.body.session_id);
    expect(session).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], authTime: clock() });
  });

  it('takes each step once: the same code again is refused, the previous step is accepted, two back are not', async () => {
    const u = await user('ulla');
    const secret = await enrolTotp(r, u.id);
    const previous = totpCode(secret, clock(), -1);
    expect((await login({ username: 'ulla', password: PASSWORD, totp: previous })).status).toBe(200);
    const replay = await login({ username: 'ulla', password: PASSWORD, totp: previous });
    expect(replay.body.error.code).toBe('ERR_MFA_INVALID');
    expect(
      (await login({ username: 'ulla', password: PASSWORD, totp: totpCode(secret, clock()) })).status,
    ).toBe(200);
    // A step at or before the last one used is a replay even while it is still in the window.
    clock.advance(30_000);
    const used = await login({ username: 'ulla', password: PASSWORD, totp: totpCode(secret, clock(), -1) });
    expect(used.body.error.code).toBe('ERR_MFA_INVALID');
    const twoBack = await login({
      username: 'ulla',
      password: PASSWORD,
      totp: totpCode(secret, clock(), -2),
    });
    expect(twoBack.body.error.code).toBe('ERR_MFA_INVALID');
    expect(
      (await login({ username: 'ulla', password: PASSWORD, totp: totpCode(secret, clock()) })).status,
    ).toBe(200);
  });

  it('a code two steps old is refused for a fresh authenticator too (outside the ±1 window)', async () => {
    const u = await user('vera');
    const secret = await enrolTotp(r, u.id);
    const old = await login({ username: 'vera', password: PASSWORD, totp: totpCode(secret, clock(), -2) });
    expect(old.body.error.code).toBe('ERR_MFA_INVALID');
    const next = await login({ username: 'vera', password: PASSWORD, totp: totpCode(secret, clock(), 1) });
    expect(next.status).toBe(200);
  });

  it('a TOTP code for someone without TOTP is wrong, not ignored', async () => {
    await user('walt');
    const res = await login({ username: 'walt', password: PASSWORD, totp: '123456' });
    expect(res.body.error.code).toBe('ERR_MFA_INVALID');
    expect((await login({ username: 'walt', password: PASSWORD })).status).toBe(200);
  });

  it('refuses two factors at once', async () => {
    const res = await login({ username: 'walt', password: PASSWORD, totp: '123456', recovery_code: 'x' });
    expect(res.body.error.code).toBe('ERR_VALIDATION');
  });
});

describe('/api/login with a recovery code', () => {
  it('works once, in any case and spacing', async () => {
    const u = await user('xena');
    await enrolTotp(r, u.id);
    const codes = await giveRecoveryCodes(r, u.id);
    const code = codes[3] as string;
    const typed = ` ${code.toUpperCase().replace('-', ' ')} `;
    const ok = await login({ username: 'xena', password: PASSWORD, recovery_code: typed });
    expect(ok.status).toBe(200);
    expect(payloadOf(ok.body.access_token).amr).toEqual(['pwd', 'otp', 'mfa']);
    const again = await login({ username: 'xena', password: PASSWORD, recovery_code: code });
    expect(again.body.error.code).toBe('ERR_MFA_INVALID');
    expect(await r.server.services.storage.recoveryCodes.countUnused(u.id)).toBe(9);
    await r.server.services.audit.flush();
    const [used] = await r.server.services.storage.audit.list({ type: 'mfa.recovery_code_used', limit: 1 });
    expect(used).toMatchObject({ subject: u.id, detail: { remaining: 9 } });
    expect(JSON.stringify(used)).not.toContain(code.slice(0, 5));
  });
});

describe('who needs a second factor', () => {
  it('a role with requireMfa: ERR_MFA_REQUIRED even without a factor set up', async () => {
    await user('yuri', ['staff']);
    const res = await login({ username: 'yuri', password: PASSWORD });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('ERR_MFA_REQUIRED');
  });

  it('the password grant at /oauth/token refuses them with invalid_grant (use the code flow)', async () => {
    const u = await user('zoe');
    const secret = await enrolTotp(r, u.id);
    const grant = (username: string) =>
      postForm(`${r.url}/oauth/token`, {
        grant_type: 'password',
        client_id: 'keycard-cli',
        username,
        password: PASSWORD,
      });
    for (const name of ['zoe', 'yuri']) {
      const res = await grant(name);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'invalid_grant', code: 'ERR_MFA_REQUIRED' });
    }
    // A password-only person still gets a card there, recorded as such.
    const ok = await grant('walt');
    expect(ok.status).toBe(200);
    expect(payloadOf(ok.body.access_token)).toMatchObject({ amr: ['pwd'], acr: ACR.password });
    // And nothing was used up by the refused grants.
    expect(
      (await login({ username: 'zoe', password: PASSWORD, totp: totpCode(secret, clock()) })).status,
    ).toBe(200);
  });

  it('without the password, nothing tells that a factor is set up: same answer as before', async () => {
    const u = await user('amos');
    await enrolTotp(r, u.id);
    const wrong = await login({ username: 'amos', password: 'not the password', totp: '000000' });
    const unknown = await login({ username: 'nobody-here', password: 'not the password' });
    for (const res of [wrong, unknown]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'ERR_INVALID_CREDENTIALS', message: expect.any(String) } });
    }
    expect(wrong.body).toEqual(unknown.body);
  });
});

describe('the failure throttle', () => {
  it('after mfa.maxFailures wrong factors the account gets 429 with Retry-After, even for a right code', async () => {
    const u = await user('bert');
    const secret = await enrolTotp(r, u.id);
    for (let i = 0; i < 4; i++) {
      const res = await login({ username: 'bert', password: PASSWORD, totp: totpCode(secret, clock(), 7) });
      expect(res.body.error.code).toBe('ERR_MFA_INVALID');
    }
    const blocked = await login({ username: 'bert', password: PASSWORD, totp: totpCode(secret, clock()) });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('ERR_RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Per account: another person's right code still passes.
    const other = await user('cara');
    const otherSecret = await enrolTotp(r, other.id);
    expect(
      (await login({ username: 'cara', password: PASSWORD, totp: totpCode(otherSecret, clock()) })).status,
    ).toBe(200);
    // Once the window has passed, the owner's code works again (the refused one was not used up).
    clock.advance(301_000);
    expect(
      (await login({ username: 'bert', password: PASSWORD, totp: totpCode(secret, clock()) })).status,
    ).toBe(200);
    await r.server.services.audit.flush();
    const failed = await r.server.services.storage.audit.list({ type: 'mfa.failed', limit: 50 });
    const bert = failed.filter((e) => e.subject === u.id);
    expect(bert).toHaveLength(4);
    expect(bert[0]?.detail).toEqual({ factor: 'totp' });
  });
});
