import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, getJson, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';

async function call(url: string, method: string, token: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

describe('admin API', () => {
  let r: Running;
  let admin: string;
  let guest: string;
  beforeAll(async () => {
    r = await startServer();
    await addUser(r, 'boss', PASSWORD, ['manager']);
    await addUser(r, 'guest', PASSWORD, ['guest']);
    admin = (await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD })).body
      .access_token;
    guest = (await postJson(`${r.url}/api/login`, { username: 'guest', password: PASSWORD })).body
      .access_token;
  });
  afterAll(() => r.close());

  it('requires the admin scope', async () => {
    const res = await call(`${r.url}/api/admin/users`, 'GET', guest);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('ERR_INSUFFICIENT_SCOPE');
    expect((await getJson(`${r.url}/api/admin/users`)).body.error.code).toBe('ERR_UNAUTHENTICATED');
    const bogus = await getJson(`${r.url}/api/admin/users`, { authorization: 'Bearer a.b.c' });
    expect(bogus.body.error.code).toBe('ERR_INVALID_TOKEN');
  });

  it('manages users; disabling one revokes their tokens everywhere', async () => {
    const created = await call(`${r.url}/api/admin/users`, 'POST', admin, {
      username: 'Zoë',
      password: PASSWORD,
      roles: ['guest'],
      claims: { room: '101' },
    });
    expect(created.status).toBe(201);
    expect(created.body.passwordHash).toBeUndefined();
    const list = await call(`${r.url}/api/admin/users`, 'GET', admin);
    expect(list.body.users.map((u: { username: string }) => u.username)).toContain('Zoë');
    const dup = await call(`${r.url}/api/admin/users`, 'POST', admin, {
      username: 'zoë',
      password: PASSWORD,
    });
    expect(dup.body.error.code).toBe('ERR_USERNAME_TAKEN');
    const badRole = await call(`${r.url}/api/admin/users`, 'POST', admin, {
      username: 'x1',
      password: PASSWORD,
      roles: ['nope'],
    });
    expect(badRole.body.error.code).toBe('ERR_ROLE_NOT_FOUND');

    const zoe = await postJson(`${r.url}/api/login`, { username: 'ZOË', password: PASSWORD });
    expect(zoe.status).toBe(200);
    const me = await getJson(`${r.url}/api/me`, { authorization: `Bearer ${zoe.body.access_token}` });
    expect(me.body.claims).toEqual({ room: '101' });
    const claims = JSON.parse(Buffer.from(zoe.body.access_token.split('.')[1], 'base64url').toString());
    expect(claims.room).toBe('101');

    const patched = await call(`${r.url}/api/admin/users/${created.body.id}`, 'PATCH', admin, {
      disabled: true,
    });
    expect(patched.body.disabled).toBe(true);
    const after = await getJson(`${r.url}/api/me`, { authorization: `Bearer ${zoe.body.access_token}` });
    expect(after.status).toBe(401);
    const feed = await getJson(`${r.url}/revocations`);
    expect(
      feed.body.events.some(
        (e: { type: string; sub?: string }) => e.type === 'subject' && e.sub === created.body.id,
      ),
    ).toBe(true);
    expect((await call(`${r.url}/api/admin/users/${created.body.id}`, 'DELETE', admin)).status).toBe(204);
    expect((await call(`${r.url}/api/admin/users/${created.body.id}`, 'DELETE', admin)).body.error.code).toBe(
      'ERR_USER_NOT_FOUND',
    );
  });

  it('manages audiences, roles and clients (secret shown once, never its hash)', async () => {
    expect(
      (await call(`${r.url}/api/admin/audiences`, 'POST', admin, { id: 'pool', scopes: ['pool:swim'] }))
        .status,
    ).toBe(201);
    expect(
      (await call(`${r.url}/api/admin/roles`, 'POST', admin, { name: 'swimmer', scopes: ['pool:swim'] }))
        .status,
    ).toBe(201);
    const client = await call(`${r.url}/api/admin/clients`, 'POST', admin, {
      id: 'lifeguard',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['pool'],
      scopes: ['pool:swim'],
    });
    expect(client.status).toBe(201);
    expect(client.body.secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(client.body.secretHash).toBeUndefined();
    const listed = await call(`${r.url}/api/admin/clients`, 'GET', admin);
    const found = listed.body.clients.find((c: { id: string }) => c.id === 'lifeguard');
    expect(found.secret).toBeUndefined();
    expect(found.secretHash).toBeUndefined();
    const badAud = await call(`${r.url}/api/admin/clients`, 'POST', admin, {
      id: 'x',
      type: 'confidential',
      grants: ['client_credentials'],
      audiences: ['nowhere'],
    });
    expect(badAud.body.error.code).toBe('ERR_AUDIENCE_NOT_FOUND');
    expect((await call(`${r.url}/api/admin/clients/lifeguard`, 'DELETE', admin)).status).toBe(204);
    expect((await call(`${r.url}/api/admin/roles/swimmer`, 'DELETE', admin)).status).toBe(204);
    expect((await call(`${r.url}/api/admin/audiences/pool`, 'DELETE', admin)).status).toBe(204);
    expect((await call(`${r.url}/api/admin/audiences/pool`, 'DELETE', admin)).body.error.code).toBe(
      'ERR_AUDIENCE_NOT_FOUND',
    );
  });

  it('lists and rotates keys, lists and revokes sessions, queries the audit log without secrets', async () => {
    const keys = await call(`${r.url}/api/admin/keys`, 'GET', admin);
    expect(keys.body.keys.map((k: { state: string }) => k.state).sort()).toEqual(['current', 'next']);
    const rotated = await call(`${r.url}/api/admin/keys/rotate`, 'POST', admin);
    expect(rotated.body.retired).toBeTypeOf('string');
    // The admin token was signed by the retired key: still valid.
    const sessions = await call(`${r.url}/api/admin/sessions`, 'GET', admin);
    expect(sessions.status).toBe(200);
    const guestSession = sessions.body.sessions.find(
      (s: { userId: string; id: string }) => s.userId !== undefined && s.id,
    );
    expect(guestSession).toBeDefined();
    const other = await postJson(`${r.url}/api/login`, { username: 'guest', password: PASSWORD });
    expect((await call(`${r.url}/api/admin/sessions/${other.body.session_id}`, 'DELETE', admin)).status).toBe(
      204,
    );
    expect(
      (await getJson(`${r.url}/api/me`, { authorization: `Bearer ${other.body.access_token}` })).status,
    ).toBe(401);

    const audit = await call(`${r.url}/api/admin/audit?type=admin.&limit=100`, 'GET', admin);
    const types = audit.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['admin.user.create', 'admin.user.update', 'admin.key.rotate']),
    );
    const all = await call(`${r.url}/api/admin/audit?limit=1000`, 'GET', admin);
    expect(all.body.events.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['login.success', 'session.revoke', 'key.rotate']),
    );
    const text = JSON.stringify(all.body);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(other.body.refresh_token);
    expect(text).not.toContain(other.body.access_token);
  });

  it('a user can list and end their own sessions, not someone else’s', async () => {
    const a = await postJson(`${r.url}/api/login`, { username: 'guest', password: PASSWORD });
    const b = await postJson(`${r.url}/api/login`, { username: 'guest', password: PASSWORD });
    const bossSession = await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD });
    const mine = await call(`${r.url}/api/sessions`, 'GET', a.body.access_token);
    const current = mine.body.sessions.find((s: { current: boolean }) => s.current);
    expect(current.id).toBe(a.body.session_id);
    const foreign = await call(
      `${r.url}/api/sessions/${bossSession.body.session_id}`,
      'DELETE',
      a.body.access_token,
    );
    expect(foreign.body.error.code).toBe('ERR_SESSION_NOT_FOUND');
    expect(
      (await call(`${r.url}/api/sessions/${b.body.session_id}`, 'DELETE', a.body.access_token)).status,
    ).toBe(204);
    expect(
      (await getJson(`${r.url}/api/me`, { authorization: `Bearer ${b.body.access_token}` })).status,
    ).toBe(401);
  });
});
