// `email` and `email_verified` at /oauth/userinfo and in the ID token come from the account's
// address (and whether it is proven), never from a user-defined claim of the same name; only an
// account without an address still answers its `email` claim (as before accounts had addresses).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createUser } from '../src/index.js';
import { getJson, postForm, type Running, startServer } from './helpers.js';
import { payloadOf } from './support/mfa-fixtures.js';

const PASSWORD = 'correct horse battery';

describe('the email identity claims', () => {
  let r: Running;

  /** The ID token's and /oauth/userinfo's email claims of `username`, signed in with scope email. */
  async function emailClaims(username: string) {
    const tokens = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'password',
      client_id: 'app',
      username,
      password: PASSWORD,
      scope: 'openid email',
    });
    expect(tokens.status).toBe(200);
    const info = await getJson(`${r.url}/oauth/userinfo`, {
      authorization: `Bearer ${tokens.body.access_token}`,
    });
    expect(info.status).toBe(200);
    const pick = (o: Record<string, unknown>) => ({ email: o['email'], email_verified: o['email_verified'] });
    return { idToken: pick(payloadOf(tokens.body.id_token)), userinfo: pick(info.body) };
  }

  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    const ctx = r.server.services;
    await createClient(ctx, {
      id: 'app',
      type: 'public',
      firstParty: true,
      grants: ['password', 'refresh_token'],
      audiences: ['keycard'],
      scopes: ['openid', 'email'],
    });
    const add = (username: string, fields: Omit<Parameters<typeof createUser>[1], 'username' | 'password'>) =>
      createUser(ctx, { username, password: PASSWORD, roles: [], ...fields });
    // A claim that says otherwise: the account's verified address wins.
    await add('ada', {
      email: 'ada@hotel.example',
      emailVerified: true,
      claims: { email: 'boss@hotel.example', email_verified: true },
    });
    // An unproven address is said to be unproven, whatever the claims say.
    await add('bea', {
      email: 'bea@hotel.example',
      emailVerified: false,
      claims: { email: 'bea@elsewhere.example', email_verified: true },
    });
    await add('cy', { claims: { email: 'cy@legacy.example', email_verified: true } });
    await add('di', {});
  });
  afterAll(() => r.close());

  it('the account’s address wins over a claim named email, verified only when proven', async () => {
    const ada = { email: 'ada@hotel.example', email_verified: true };
    expect(await emailClaims('ada')).toEqual({ idToken: ada, userinfo: ada });
    const bea = { email: 'bea@hotel.example', email_verified: false };
    expect(await emailClaims('bea')).toEqual({ idToken: bea, userinfo: bea });
  });

  it('an account without an address falls back to its email claim; with neither, nothing', async () => {
    const cy = { email: 'cy@legacy.example', email_verified: true };
    expect(await emailClaims('cy')).toEqual({ idToken: cy, userinfo: cy });
    const none = { email: undefined, email_verified: undefined };
    expect(await emailClaims('di')).toEqual({ idToken: none, userinfo: none });
  });
});
