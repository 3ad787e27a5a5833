// An outside attacker enumerating accounts through the email forms, over real HTTP: every kind of
// login "forgot password" can be given, and every collision sign-up can meet, must get the same
// status, headers (content-length included, never a cookie) and body, in similar time — the
// differences run after the answer. Timing is compared as a ratio of medians with a generous bound.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../src/index.js';
import type { Running } from './helpers.js';
import { settled, startMailServer } from './support/email-flow.js';

const PASSWORD = 'correct horse battery';

/** Everything an answer shows but its `date`: status, every header, the body. */
async function visible(res: Response) {
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (name !== 'date') headers[name] = value;
  });
  return { status: res.status, headers, body: await res.text() };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

let r: Running;
let audited = { forgot: 0, signup: 0 };

beforeAll(async () => {
  ({ r } = await startMailServer(
    {
      accounts: { signup: true, mailsPerAccount: { limit: 10_000 }, requestsPerIp: { limit: 10_000 } },
      throttle: { registerPerIp: { limit: 10_000 } },
    },
    // Real argon2id: sign-up hashes the password on every path, and only real costs show whether
    // one path skips it.
    { unsafeFastPasswordHashingForTests: false },
  ));
  const ctx = r.server.services;
  const add = (username: string, email: string | undefined, emailVerified: boolean) =>
    createUser(ctx, {
      username,
      password: PASSWORD,
      roles: [],
      ...(email === undefined ? {} : { email, emailVerified }),
    });
  await add('alice', 'alice@hotel.example', true);
  await add('ulla', 'ulla@hotel.example', false);
  await add('nomail', undefined, false);
  const off = await add('dora', 'dora@hotel.example', true);
  await ctx.storage.users.update(off.id, { disabled: true, updatedAt: ctx.clock() });
  audited = { forgot: 0, signup: 0 };
});
afterAll(async () => {
  await r?.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${r.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'same agent' },
    body: JSON.stringify(body),
  });

async function forgot(login: string) {
  const answer = await visible(await post('/api/password/forgot', { login }));
  await settled(r, 'password.reset_requested', ++audited.forgot);
  return answer;
}

async function signup(body: { username: string; email: string }) {
  const answer = await visible(await post('/api/signup', { ...body, password: 'a long enough password' }));
  await settled(r, 'signup.requested', ++audited.signup);
  return answer;
}

describe('forgot password', () => {
  it('every kind of login gets the very same answer, with no cookie', async () => {
    const logins = [
      'alice',
      'ALICE@Hotel.Example',
      'ulla',
      'ulla@hotel.example',
      'dora',
      'nomail',
      'nobody',
      'nobody@hotel.example',
      'x'.repeat(320),
    ];
    const answers = [];
    for (const login of logins) answers.push(await forgot(login));
    for (const [i, answer] of answers.entries()) {
      expect(answer, logins[i]).toEqual(answers[0]);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
    expect(answers[0]).toMatchObject({ status: 202, body: '{}', headers: { 'content-length': '2' } });
  });

  it('by address: a known and an unknown one take similar time', async () => {
    for (const login of ['alice@hotel.example', 'nobody@hotel.example']) await forgot(login);
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 15; i++) {
      for (const [login, times] of [
        ['alice@hotel.example', known],
        ['nobody@hotel.example', unknown],
      ] as const) {
        const start = performance.now();
        const res = await post('/api/password/forgot', { login });
        await res.text();
        times.push(performance.now() - start);
        await settled(r, 'password.reset_requested', ++audited.forgot);
      }
    }
    // Alternating calls, medians of 15, a 3× bound: only a systematic difference (a lookup, a
    // write or a mail before the answer on one path) can cross it.
    const ratio = median(known) / median(unknown);
    expect(ratio).toBeLessThan(3);
    expect(ratio).toBeGreaterThan(1 / 3);
  });
});

describe('sign-up', () => {
  it('a new account and every collision get the very same answer, with no cookie', async () => {
    const cases = [
      { username: 'newbie', email: 'newbie@example.com' },
      { username: 'alice', email: 'fresh@example.com' },
      { username: 'fresh2', email: 'alice@hotel.example' },
      { username: 'fresh3', email: 'ALICE@HOTEL.EXAMPLE' },
      { username: 'alice', email: 'alice@hotel.example' },
      { username: 'fresh4', email: 'ulla@hotel.example' },
      { username: 'Dora', email: 'dora@hotel.example' },
    ];
    const answers = [];
    for (const c of cases) answers.push(await signup(c));
    for (const [i, answer] of answers.entries()) {
      expect(answer, JSON.stringify(cases[i])).toEqual(answers[0]);
      expect(answer.headers['set-cookie']).toBeUndefined();
    }
    expect(answers[0]).toMatchObject({ status: 202, body: '{}', headers: { 'content-length': '2' } });
  });

  it('a taken username and a new one take similar time (both hash the password)', async () => {
    await signup({ username: 'warm1', email: 'warm1@example.com' });
    await signup({ username: 'alice', email: 'warm2@example.com' });
    const created: number[] = [];
    const taken: number[] = [];
    for (let i = 0; i < 9; i++) {
      for (const [body, times] of [
        [{ username: `timing${i}`, email: `timing${i}@example.com` }, created],
        [{ username: 'alice', email: `other${i}@example.com` }, taken],
      ] as const) {
        const start = performance.now();
        const res = await post('/api/signup', { ...body, password: 'a long enough password' });
        await res.text();
        times.push(performance.now() - start);
        await settled(r, 'signup.requested', ++audited.signup);
      }
    }
    const ratio = median(created) / median(taken);
    expect(ratio).toBeLessThan(3);
    expect(ratio).toBeGreaterThan(1 / 3);
  });
});
