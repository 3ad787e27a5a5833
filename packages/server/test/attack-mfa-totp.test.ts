// An outside attacker who has a person's password and goes after the one-time codes, over real
// HTTP on a frozen clock: one TOTP code sent 20 times at once, codes two steps away, guessing past
// the per-account budget (also in parallel, across endpoints, across factor kinds and from other
// sources), and recovery codes used twice, at once, spelt differently or by another person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, postJson, type Running } from './helpers.js';
import { passwordStep } from './support/attack-mfa.js';
import { PASSWORD } from './support/authorize-flow.js';
import { enrolTotp, giveRecoveryCodes, totpCode } from './support/mfa-fixtures.js';
import { startMfaAuthorizeServer } from './support/mfa-flow.js';

const MAX_FAILURES = 5;
let r: Running;
let clock: Awaited<ReturnType<typeof startMfaAuthorizeServer>>['clock'];

beforeAll(async () => {
  ({ running: r, clock } = await startMfaAuthorizeServer({
    mfa: { maxFailures: MAX_FAILURES, failureWindow: 300 },
    // Sources are told apart by X-Forwarded-For from loopback; the per-IP sign-in budget is not
    // this suite's subject.
    trustProxy: ['127.0.0.1'],
    throttle: { loginPerIp: { limit: 10_000 } },
  }));
});
afterAll(async () => {
  await r?.close();
});

/** A new person with TOTP (past any earlier window). */
async function withTotp(name: string) {
  clock.advance(301_000);
  const user = await addUser(r, name, PASSWORD);
  return { user, secret: await enrolTotp(r, user.id) };
}

const login = (body: Record<string, unknown>, ip = '198.51.100.7') =>
  postJson(`${r.url}/api/login`, { password: PASSWORD, ...body }, { 'x-forwarded-for': ip });

const codes = (answers: { status: number; body: { error?: { code: string } } }[]) =>
  answers.map((a) => (a.status === 200 ? 'ok' : (a.body.error?.code ?? String(a.status))));

describe('one TOTP code', () => {
  it('sent 20 times at once to /api/login signs in exactly once', async () => {
    const { user, secret } = await withTotp('ada');
    const code = totpCode(secret, clock());
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => login({ username: 'ada', totp: code })),
    );
    const seen = codes(answers);
    expect(seen.filter((c) => c === 'ok')).toHaveLength(1);
    // The others are refused as a used code, or, once the budget is spent, throttled.
    for (const c of seen.filter((x) => x !== 'ok'))
      expect(['ERR_MFA_INVALID', 'ERR_RATE_LIMITED']).toContain(c);
    expect(await r.server.services.storage.sessions.listByUser(user.id)).toHaveLength(1);
  });

  it('sent with 20 pending sign-ins at once to the pages signs in exactly once', async () => {
    const { user, secret } = await withTotp('bel');
    const steps = [];
    for (let i = 0; i < 20; i++) steps.push(await passwordStep(r, 'bel'));
    const code = totpCode(secret, clock());
    const answers = await Promise.all(
      steps.map((s) =>
        s.browser.call(r.url, 'mfa', {
          interaction: s.interaction,
          mfa_token: s.login.body.mfa.token,
          totp: code,
        }),
      ),
    );
    expect(codes(answers).filter((c) => c === 'ok')).toHaveLength(1);
    expect(steps.filter((s) => s.browser.cookie !== undefined)).toHaveLength(1);
    expect(await r.server.services.storage.browserSessions.listByUser(user.id)).toHaveLength(1);
  });

  it('two steps back or ahead is refused at the pages too; one step either side once each', async () => {
    const { secret } = await withTotp('cid');
    const step = await passwordStep(r, 'cid');
    const send = (totp: string) =>
      step.browser.call(r.url, 'mfa', {
        interaction: step.interaction,
        mfa_token: step.login.body.mfa.token,
        totp,
      });
    for (const offset of [-2, 2]) {
      const res = await send(totpCode(secret, clock(), offset));
      expect(res.body.error.code, `offset ${offset}`).toBe('ERR_MFA_INVALID');
    }
    expect((await send(totpCode(secret, clock(), 1))).status).toBe(200);
    // The step after it was accepted, the current one (earlier) is a replay now.
    const again = await passwordStep(r, 'cid');
    const earlier = await again.browser.call(r.url, 'mfa', {
      interaction: again.interaction,
      mfa_token: again.login.body.mfa.token,
      totp: totpCode(secret, clock()),
    });
    expect(earlier.body.error.code).toBe('ERR_MFA_INVALID');
  });
});

describe('guessing codes', () => {
  it('20 wrong guesses at once: at most mfa.maxFailures are checked, the rest are 429', async () => {
    const { secret } = await withTotp('dee');
    const wrong = totpCode(secret, clock(), 10);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => login({ username: 'dee', totp: wrong })),
    );
    const seen = codes(answers);
    expect(seen.filter((c) => c === 'ERR_MFA_INVALID').length).toBeLessThanOrEqual(MAX_FAILURES);
    expect(seen.filter((c) => c === 'ERR_RATE_LIMITED').length).toBeGreaterThanOrEqual(20 - MAX_FAILURES);
    const right = await login({ username: 'dee', totp: totpCode(secret, clock()) });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('one budget per account across /api/login, the pages and every kind of factor', async () => {
    const { user, secret } = await withTotp('eli');
    await giveRecoveryCodes(r, user.id);
    const step = await passwordStep(r, 'eli');
    const atPages = (factor: Record<string, string>) =>
      step.browser.call(r.url, 'mfa', {
        interaction: step.interaction,
        mfa_token: step.login.body.mfa.token,
        ...factor,
      });
    expect((await login({ username: 'eli', totp: '000000' })).body.error.code).toBe('ERR_MFA_INVALID');
    expect((await login({ username: 'eli', recovery_code: 'aaaaa-aaaaa' })).body.error.code).toBe(
      'ERR_MFA_INVALID',
    );
    expect((await atPages({ totp: '111111' })).body.error.code).toBe('ERR_MFA_INVALID');
    expect((await atPages({ recovery_code: 'bbbbb-bbbbb' })).body.error.code).toBe('ERR_MFA_INVALID');
    expect((await atPages({ totp: '222222' })).body.error.code).toBe('ERR_MFA_INVALID');
    const right = await atPages({ totp: totpCode(secret, clock()) });
    expect(right.status).toBe(429);
    expect(right.body.error.code).toBe('ERR_RATE_LIMITED');
    expect(step.browser.cookie).toBeUndefined();
  });

  // Decision the code made (mfa/failure-throttle.ts) and this suite keeps: the second-factor budget
  // is per account, not per source — whoever reaches it has the password, and six digits must not
  // get a million guesses from a botnet. So a password holder can hold the owner's factor off while
  // they keep guessing (the owner's way out: a password reset, after which those guesses stop at the
  // password). What must hold: without the password nobody touches that budget.
  it('guesses from one source throttle the account for every source; wrong passwords never touch the budget', async () => {
    const { secret } = await withTotp('fay');
    for (let i = 0; i < 8; i++) {
      const res = await postJson(
        `${r.url}/api/login`,
        { username: 'fay', password: `not the password ${i}`, totp: '000000' },
        { 'x-forwarded-for': `203.0.113.${i + 1}` },
      );
      expect(res.body.error.code).not.toBe('ERR_MFA_INVALID');
    }
    // Eight sources without the password (under the sign-in throttle's own account limit): the
    // owner's code still works.
    expect((await login({ username: 'fay', totp: totpCode(secret, clock(), -1) }, '192.0.2.10')).status).toBe(
      200,
    );
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await login({ username: 'fay', totp: '999999' }, '203.0.113.200');
      expect(res.body.error.code).toBe('ERR_MFA_INVALID');
    }
    const owner = await login({ username: 'fay', totp: totpCode(secret, clock()) }, '192.0.2.10');
    expect(owner.status).toBe(429);
  });
});

describe('recovery codes', () => {
  it('one code sent 10 times at once signs in exactly once', async () => {
    const { user } = await withTotp('gil');
    const [code] = await giveRecoveryCodes(r, user.id);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => login({ username: 'gil', recovery_code: code as string })),
    );
    const seen = codes(answers);
    expect(seen.filter((c) => c === 'ok')).toHaveLength(1);
    for (const c of seen.filter((x) => x !== 'ok'))
      expect(['ERR_MFA_INVALID', 'ERR_RATE_LIMITED']).toContain(c);
    expect(await r.server.services.storage.recoveryCodes.countUnused(user.id)).toBe(9);
  });

  it('a used code spelt another way (case, spaces, no dash) is still used', async () => {
    const { user } = await withTotp('hoa');
    const [code] = await giveRecoveryCodes(r, user.id);
    const c = code as string;
    expect((await login({ username: 'hoa', recovery_code: c.toUpperCase() })).status).toBe(200);
    for (const spelling of [
      c,
      c.replace('-', ''),
      ` ${c.slice(0, 5)} ${c.slice(6)} `,
      c.replace('-', '--'),
    ]) {
      const res = await login({ username: 'hoa', recovery_code: spelling });
      expect(res.status, spelling).toBe(401);
      expect(res.body.error.code).toBe('ERR_MFA_INVALID');
      clock.advance(301_000);
    }
    expect(await r.server.services.storage.recoveryCodes.countUnused(user.id)).toBe(9);
  });

  it('another person’s code is wrong, and stays good for its owner', async () => {
    const a = await withTotp('ian');
    const b = await withTotp('joy');
    const [codeOfB] = await giveRecoveryCodes(r, b.user.id);
    await giveRecoveryCodes(r, a.user.id);
    const res = await login({ username: 'ian', recovery_code: codeOfB as string });
    expect(res.body.error.code).toBe('ERR_MFA_INVALID');
    expect((await login({ username: 'joy', recovery_code: codeOfB as string })).status).toBe(200);
  });
});
