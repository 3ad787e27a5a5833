import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, USER_ID_SHAPE } from '../src/index.js';
import { addUser, type Body, getJson, postForm, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const claimsOf = (token: string): Body =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

describe('subjects cannot be confused: a client never passes for a user', () => {
  let r: Running;
  let admin: string;
  let aliceId: string;
  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    aliceId = (await addUser(r, 'alice', PASSWORD, ['guest'])).id;
    await addUser(r, 'boss', PASSWORD, ['manager']);
    admin = (await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD })).body
      .access_token;
  });
  afterAll(() => r.close());

  it("refuses a client registered with a user's id (admin API and service), so no client card names a user", async () => {
    expect(aliceId).toMatch(USER_ID_SHAPE);
    const viaApi = await postJson(
      `${r.url}/api/admin/clients`,
      { id: aliceId, type: 'confidential', grants: ['client_credentials'], audiences: ['keycard'] },
      { authorization: `Bearer ${admin}` },
    );
    expect(viaApi.status).toBe(409);
    expect(viaApi.body.error.code).toBe('ERR_CONFLICT');
    await expect(
      createClient(r.server.services, { id: aliceId, type: 'confidential', grants: ['client_credentials'] }),
    ).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    expect(await r.server.services.storage.clients.get(aliceId)).toBeUndefined();
  });

  it('refuses any client id with the shape of a user id, even before that user exists', async () => {
    for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'abcdefghijklmnopqrstuQ', 'a_b-c_d-e_f-g_h-i_j-kw']) {
      await expect(
        createClient(r.server.services, { id, type: 'confidential', grants: ['client_credentials'] }),
      ).rejects.toMatchObject({ code: 'ERR_CONFLICT' });
    }
    // 22 characters that no random user id can be (the last carries 2 bits: A, Q, g or w) are fine.
    await createClient(r.server.services, {
      id: 'AAAAAAAAAAAAAAAAAAAAAB',
      type: 'public',
      grants: ['refresh_token'],
    });
  });

  it('a client card has no sid, roles or username, and never passes /api/me or the admin API', async () => {
    const { secret } = await createClient(r.server.services, {
      id: 'robot',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['keycard'],
      scopes: ['admin'],
    });
    const res = await postForm(`${r.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_id: 'robot',
      client_secret: secret!,
    });
    expect(res.status).toBe(200);
    const card = res.body.access_token as string;
    const claims = claimsOf(card);
    expect(claims).toMatchObject({ sub: 'robot', aud: 'keycard', client_id: 'robot', scope: 'admin' });
    for (const claim of ['sid', 'roles', 'username']) expect(claims[claim]).toBeUndefined();
    const me = await getJson(`${r.url}/api/me`, { authorization: `Bearer ${card}` });
    expect(me.status).toBe(401);
    expect(me.body.error.code).toBe('ERR_INVALID_TOKEN');
    const created = await postJson(
      `${r.url}/api/admin/users`,
      { username: 'mallory', password: PASSWORD, roles: ['manager'] },
      { authorization: `Bearer ${card}` },
    );
    expect(created.status).toBe(401);
    expect(await r.server.services.storage.users.getByUsername('mallory')).toBeUndefined();
  });
});
