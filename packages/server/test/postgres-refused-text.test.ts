// A NUL character in client input reaches PostgreSQL, which cannot store it in text: the answer
// is 400 ERR_VALIDATION (the client's fault), never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, type Storage } from '../src/index.js';
import { addUser, postJson, type Running, startServer } from './helpers.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './storage/postgres-helper.js';

const PASSWORD = 'correct horse battery';
const skip = await probePostgres();
if (skip) console.log(`PostgreSQL refused-text tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('text PostgreSQL refuses, sent by a client', () => {
  const schema = freshSchema();
  let storage: Storage;
  let r: Running;
  let admin: string;
  beforeAll(async () => {
    storage = await createStorage({ driver: 'postgres', url: PG_URL, schema });
    r = await startServer({ masterKey: Buffer.alloc(32, 7).toString('base64url') }, { storage });
    await addUser(r, 'boss', PASSWORD, ['manager']);
    admin = (await postJson(`${r.url}/api/login`, { username: 'boss', password: PASSWORD })).body
      .access_token;
  });
  afterAll(async () => {
    await r?.close();
    await storage?.close();
    await dropSchemas([schema]);
  });

  it('a username with a NUL at sign-in is ERR_VALIDATION, not ERR_INTERNAL', async () => {
    const res = await postJson(`${r.url}/api/login`, { username: 'bo\u0000ss', password: PASSWORD });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ERR_VALIDATION');
  });

  it.each(['type', 'subject'])(
    'the audit list filtered by a %s with a NUL is ERR_VALIDATION',
    async (name) => {
      const res = await fetch(`${r.url}/api/admin/audit?${name}=a%00b`, {
        headers: { authorization: `Bearer ${admin}` },
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ERR_VALIDATION');
    },
  );
});
