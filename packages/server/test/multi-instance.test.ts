// Several stateless server instances sharing one PostgreSQL database (no shared coordinator):
// sessions, refresh rotation, reuse detection and the revocation feed work across them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, type Storage } from '../src/index.js';
import { addUser, getJson, postJson, type Running, startServer, testClock } from './helpers.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './storage/postgres-helper.js';

const PASSWORD = 'correct horse battery';
const skip = await probePostgres();
if (skip) console.log(`multi-instance tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('two server instances on one PostgreSQL database', () => {
  const schema = freshSchema();
  const clock = testClock();
  const masterKey = Buffer.alloc(32, 9).toString('base64url');
  const storages: Storage[] = [];
  let a: Running;
  let b: Running;
  beforeAll(async () => {
    for (let i = 0; i < 2; i++)
      storages.push(await createStorage({ driver: 'postgres', url: PG_URL, schema }));
    a = await startServer({ masterKey }, { storage: storages[0]!, clock });
    b = await startServer({ masterKey }, { storage: storages[1]!, clock });
    await addUser(a, 'alice', PASSWORD);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const s of storages) await s.close();
    await dropSchemas([schema]);
  });

  const refresh = (r: Running, token: string) => postJson(`${r.url}/api/refresh`, { refresh_token: token });

  it('share keys: both publish the same JWKS', async () => {
    const ka = await getJson(`${a.url}/.well-known/jwks.json`);
    const kb = await getJson(`${b.url}/.well-known/jwks.json`);
    expect(kb.body).toEqual(ka.body);
  });

  it('a session started on one instance refreshes on the other; concurrent duplicates across both get one successor', async () => {
    const login = await postJson(`${a.url}/api/login`, { username: 'alice', password: PASSWORD });
    expect(login.status).toBe(200);
    const next = await refresh(b, login.body.refresh_token);
    expect(next.status).toBe(200);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => refresh(i % 2 === 0 ? a : b, next.body.refresh_token)),
    );
    for (const res of results) expect(res.status).toBe(200);
    expect(new Set(results.map((res) => res.body.refresh_token)).size).toBe(1);
  });

  it('reuse detected on one instance revokes the family for both; the other instance streams the event', async () => {
    const login = await postJson(`${a.url}/api/login`, { username: 'alice', password: PASSWORD });
    const controller = new AbortController();
    const stream = await fetch(`${b.url}/revocations/stream`, { signal: controller.signal });
    const reader = stream.body!.getReader();
    const second = await refresh(b, login.body.refresh_token);
    clock.advance(11_000);
    // Reuse detected on A; B learns of it through the shared database only.
    expect((await refresh(a, login.body.refresh_token)).body.error.code).toBe('ERR_INVALID_GRANT');
    expect((await refresh(b, second.body.refresh_token)).body.error.code).toBe('ERR_INVALID_GRANT');
    const me = await getJson(`${b.url}/api/me`, { authorization: `Bearer ${second.body.access_token}` });
    expect(me.status).toBe(401);
    let text = '';
    const deadline = Date.now() + 5000;
    while (!text.includes(login.body.session_id) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain(login.body.session_id);
    controller.abort();
  });
});
