import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type Body, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

describe('admin API: client and audience fields for one card per door', () => {
  let r: Running;
  let admin: string;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${r.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  beforeAll(async () => {
    r = await startServer({ databaseUrl: 'memory' });
    await addUser(r, 'boss', PASSWORD, ['manager']);
    admin = (await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD })).body
      .access_token;
    for (const id of ['rooms', 'billing'])
      expect((await call('POST', '/api/admin/audiences', { id, scopes: [`${id}:x`] })).status).toBe(201);
  });
  afterAll(() => r.close());

  it('registers an audience with an RFC 8707 uri, unique across audiences', async () => {
    const saved = await call('POST', '/api/admin/audiences', { id: 'pool', uri: 'https://pool.example/api' });
    expect(saved.body).toMatchObject({ id: 'pool', uri: 'https://pool.example/api' });
    const dup = await call('POST', '/api/admin/audiences', { id: 'garage', uri: 'https://pool.example/api' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('ERR_CONFLICT');
    const bad = await call('POST', '/api/admin/audiences', { id: 'garage', uri: 'not a uri' });
    expect(bad.body.error.code).toBe('ERR_VALIDATION');
    const plain = await call('POST', '/api/admin/audiences', { id: 'garage' });
    expect(plain.body.uri).toBeNull();
  });

  it('creates a client with multiAudience, requireDpop and exchange rules; defaults are safe', async () => {
    const created = await call('POST', '/api/admin/clients', {
      id: 'rooms-svc',
      type: 'confidential',
      grants: ['client_credentials', EXCHANGE],
      audiences: ['rooms'],
      requireDpop: true,
      tokenExchange: [{ from: 'rooms', to: 'billing', scopes: ['billing:x'] }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      multiAudience: false,
      requireDpop: true,
      tokenExchange: [{ from: 'rooms', to: 'billing', scopes: ['billing:x'] }],
    });
    const plain = await call('POST', '/api/admin/clients', {
      id: 'plain',
      type: 'confidential',
      grants: ['client_credentials'],
    });
    expect(plain.body).toMatchObject({ multiAudience: false, requireDpop: false, tokenExchange: [] });
  });

  it('refuses exchange rules without the grant, for unknown audiences, or touching the keycard API', async () => {
    const base = { type: 'confidential', grants: ['client_credentials', EXCHANGE] };
    const tries = [
      {
        id: 'a1',
        ...base,
        grants: ['client_credentials'],
        tokenExchange: [{ from: 'rooms', to: 'billing', scopes: [] }],
      },
      { id: 'a2', ...base, tokenExchange: [{ from: 'rooms', to: 'nowhere', scopes: [] }] },
      { id: 'a3', ...base, tokenExchange: [{ from: 'rooms', to: 'keycard', scopes: ['admin'] }] },
      { id: 'a4', ...base, tokenExchange: [{ from: 'keycard', to: 'rooms', scopes: [] }] },
      { id: 'a5', type: 'public', grants: [EXCHANGE] },
    ];
    for (const body of tries) {
      const res = await call('POST', '/api/admin/clients', body);
      expect([400, 404]).toContain(res.status);
      expect(['ERR_VALIDATION', 'ERR_AUDIENCE_NOT_FOUND']).toContain(res.body.error.code);
    }
  });

  it('updates a client in place (PATCH), checked like a new one', async () => {
    const patched = await call('PATCH', '/api/admin/clients/plain', {
      requireDpop: true,
      scopes: ['rooms:x'],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: 'plain', requireDpop: true, scopes: ['rooms:x'] });
    expect(patched.body.secretHash).toBeUndefined();
    const bad = await call('PATCH', '/api/admin/clients/plain', { grants: ['password'] });
    expect(bad.body.error.code).toBe('ERR_VALIDATION'); // password needs a first-party client
    const unknownField = await call('PATCH', '/api/admin/clients/plain', { type: 'public' });
    expect(unknownField.body.error.code).toBe('ERR_VALIDATION');
    expect((await call('PATCH', '/api/admin/clients/missing', { requireDpop: true })).status).toBe(404);
  });
});
