import { afterEach, describe, expect, it } from 'vitest';
import type { KeycardConfigInput } from '../src/index.js';
import { addUser, type Running, startServer, testClock } from './helpers.js';

const PASSWORD = 'correct horse battery';

/** Sign-in from a given source address (the server trusts X-Forwarded-For in these tests). */
async function login(r: Running, from: string, username: string, password: string) {
  const res = await fetch(`${r.url}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

describe('sign-in throttling that an attacker cannot turn against the owner', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  const start = async (throttle: KeycardConfigInput['throttle'] = {}) => {
    const clock = testClock();
    r = await startServer({ trustProxy: true, throttle }, { clock });
    await addUser(r, 'carol', PASSWORD, ['manager']);
    return { r, clock };
  };

  it('wrong passwords from one address refuse that address, not the owner at another', async () => {
    const { r, clock } = await start();
    const attacker = '203.0.113.9';
    for (const name of ['carol', 'CAROL', 'Carol', 'cArOl', 'carol']) {
      expect((await login(r, attacker, name, 'guess')).status).toBe(401);
    }
    const refused = await login(r, attacker, 'carol', PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('ERR_RATE_LIMITED');
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);

    const owner = await login(r, '198.51.100.7', 'carol', PASSWORD);
    expect(owner.status).toBe(200);
    expect(typeof owner.body.access_token).toBe('string');

    // The attacker's address stays throttled for this account, whatever it sends.
    expect((await login(r, attacker, 'Carol', PASSWORD)).status).toBe(429);
    clock.advance(5 * 60_000);
    expect((await login(r, attacker, 'carol', 'guess')).status).toBe(429);
    clock.advance(11 * 60_000);
    expect((await login(r, attacker, 'carol', PASSWORD)).status).toBe(200);
  });

  it('unknown accounts answer exactly like known ones (no enumeration through the throttle)', async () => {
    const { r } = await start();
    const run = async (name: string, from: string) => {
      const seen = [];
      for (let i = 0; i < 7; i++) {
        const res = await login(r, from, name, `guess ${i}`);
        seen.push([res.status, res.body.error.code]);
      }
      return seen;
    };
    const known = await run('carol', '203.0.113.1');
    expect(await run('nobody-here', '203.0.113.2')).toEqual(known);
    expect(known.map(([status]) => status)).toEqual([401, 401, 401, 401, 401, 429, 429]);
  });

  it('an address that sprays many accounts is refused for all of them', async () => {
    const { r } = await start({ sourceFailures: { limit: 6, windowSeconds: 3600 } });
    const sprayer = '203.0.113.50';
    for (let i = 0; i < 6; i++) expect((await login(r, sprayer, `user${i}`, 'Winter2026!')).status).toBe(401);
    expect((await login(r, sprayer, 'carol', PASSWORD)).status).toBe(429);
    expect((await login(r, '198.51.100.7', 'carol', PASSWORD)).status).toBe(200);
  });

  it('concurrent guesses cannot overshoot the budgets', async () => {
    const { r } = await start({ accountFailuresLong: { limit: 8, windowSeconds: 86_400 } });
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(r, '203.0.113.77', 'carol', `guess ${i}`)),
    );
    const checked = burst.filter((res) => res.status === 401).length;
    expect(checked).toBe(5);
    expect(burst.filter((res) => res.status === 429).length).toBe(15);
    const spread = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(r, `198.51.100.${i + 1}`, 'carol', `guess ${i}`)),
    );
    // 5 already spent from one address; the account-wide budget (8) leaves exactly 3 more.
    expect(spread.filter((res) => res.status === 401).length).toBe(3);
    expect(spread.filter((res) => res.status === 429).length).toBe(17);
  });

  it('counts an IPv6 /64 as one source', async () => {
    const { r } = await start();
    for (let i = 1; i <= 5; i++)
      expect((await login(r, `2001:db8:1:2::${i}`, 'carol', 'guess')).status).toBe(401);
    expect((await login(r, '2001:db8:1:2:ffff:0:0:1', 'carol', PASSWORD)).status).toBe(429);
    expect((await login(r, '2001:db8:1:3::1', 'carol', PASSWORD)).status).toBe(200);
  });

  it('keeps the account-wide guessing budget small across many addresses, and familiar sources open', async () => {
    const { r, clock } = await start({
      accountFailures: { limit: 3, windowSeconds: 900 },
      accountFailuresLong: { limit: 6, windowSeconds: 86_400 },
      accountDelayMs: 5,
    });
    const home = '192.0.2.10';
    expect((await login(r, home, 'carol', PASSWORD)).status).toBe(200);

    const outcomes: number[] = [];
    for (let i = 1; i <= 30; i++) {
      // Each botnet address tries twice: the second try is refused once the account is under attack.
      outcomes.push((await login(r, `203.0.113.${i}`, 'carol', `guess ${i}a`)).status);
      outcomes.push((await login(r, `203.0.113.${i}`, 'carol', `guess ${i}b`)).status);
      if (i === 2) {
        // Over the short account-wide limit: a clean source is slowed, and its right password works.
        expect((await login(r, '198.51.100.20', 'carol', PASSWORD)).status).toBe(200);
      }
    }
    const guesses = outcomes.filter((s) => s === 401).length;
    expect(guesses).toBe(6);
    expect(outcomes.filter((s) => s === 429).length).toBe(60 - 6);

    // Past the long limit: new sources wait it out; the owner's familiar sources still sign in.
    expect((await login(r, home, 'carol', PASSWORD)).status).toBe(200);
    expect((await login(r, '198.51.100.20', 'Carol', PASSWORD)).status).toBe(200);
    const stranger = await login(r, '198.51.100.99', 'carol', PASSWORD);
    expect(stranger.status).toBe(429);
    expect(Number(stranger.retryAfter)).toBeGreaterThan(0);
    clock.advance(86_401_000);
    expect((await login(r, '198.51.100.99', 'carol', PASSWORD)).status).toBe(200);
  });
});
