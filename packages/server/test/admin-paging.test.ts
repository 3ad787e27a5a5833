import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, saveAudience, saveRole } from '../src/index.js';
import { addUser, type Body, postJson, type Running, startServer } from './helpers.js';

const PASSWORD = 'correct horse battery';

describe('admin lists: keyset paging with ?limit=&after= and a next cursor', () => {
  let r: Running;
  let admin: string;
  const get = async (path: string): Promise<{ status: number; body: Body }> => {
    const res = await fetch(`${r.url}${path}`, { headers: { authorization: `Bearer ${admin}` } });
    return { status: res.status, body: await res.json() };
  };
  /** Every page of a list, following `next`; returns the pages' item keys. */
  const pages = async (path: string, field: string, key: string, limit: number) => {
    const out: string[][] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await get(`${path}?limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`);
      expect(res.status).toBe(200);
      out.push(res.body[field].map((item: Record<string, string>) => item[key]));
      after = res.body.next;
      if (after === null) return out;
    }
    throw new Error('no end of pages');
  };

  beforeAll(async () => {
    r = await startServer();
    await addUser(r, 'boss', PASSWORD, ['manager']);
    for (let i = 0; i < 4; i++) {
      await addUser(r, `user${i}`, PASSWORD);
      await createClient(r.server.services, { id: `client${i}`, type: 'public', grants: ['refresh_token'] });
      await saveAudience(r.server.services, { id: `aud${i}` }, { actor: 'test' });
      await saveRole(r.server.services, { name: `role${i}`, scopes: [] }, { actor: 'test' });
    }
    admin = (await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD })).body
      .access_token;
    for (let i = 0; i < 4; i++)
      await postJson(`${r.url}/api/login`, { username: `user${i}`, password: PASSWORD });
  });
  afterAll(() => r.close());

  it.each([
    ['/api/admin/users', 'users', 'id'],
    ['/api/admin/clients', 'clients', 'id'],
    ['/api/admin/audiences', 'audiences', 'id'],
    ['/api/admin/roles', 'roles', 'name'],
    ['/api/admin/sessions', 'sessions', 'id'],
  ])('%s pages through every item once, in the order of one big page', async (path, field, key) => {
    const all = (await get(`${path}?limit=1000`)).body;
    expect(all.next).toBeNull();
    const keys = all[field].map((item: Record<string, string>) => item[key]);
    expect(keys.length).toBeGreaterThanOrEqual(4);
    const paged = await pages(path, field, key, 2);
    expect(paged.flat()).toEqual(keys);
    expect(paged.slice(0, -1).every((p) => p.length === 2)).toBe(true);
  });

  it('refuses the old offset parameter and a forged cursor with ERR_VALIDATION', async () => {
    const offset = await get('/api/admin/users?offset=100');
    expect(offset.status).toBe(400);
    expect(offset.body.error).toMatchObject({ code: 'ERR_VALIDATION' });
    expect(offset.body.error.message).toContain('after=<next>');
    const forged = ['x:y', '1:a\u0000b', '1:\n'].map((text) => Buffer.from(text).toString('base64url'));
    for (const after of ['%00', 'not-a-cursor!', ...forged]) {
      const res = await get(`/api/admin/clients?after=${after}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('ERR_VALIDATION');
    }
  });

  it('audit pages newest first with ?before=<next>', async () => {
    await r.server.services.audit.flush();
    const first = await get('/api/admin/audit?limit=2');
    expect(first.body.events).toHaveLength(2);
    expect(typeof first.body.next).toBe('string');
    const second = await get(`/api/admin/audit?limit=2&before=${first.body.next}`);
    expect(second.body.events[0].id).toBeLessThan(first.body.events[1].id);
    const rest = await get('/api/admin/audit?limit=1000');
    expect(rest.body.next).toBeNull();
  });
});
