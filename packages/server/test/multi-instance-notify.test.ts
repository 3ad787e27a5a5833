// Two server instances on one PostgreSQL schema, each with the coordinator its configuration
// asks for (no Redis: PostgreSQL LISTEN/NOTIFY carries wake-ups and cache invalidations).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStorage, revokeSigningKey, type Storage, updateClient, WEB_CLIENT_ID } from '../src/index.js';
import { createFeedNotifier, publishSessionRevocations } from '../src/revocations/index.js';
import { addUser, getJson, postJson, type Running, startServer, testClock } from './helpers.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './storage/postgres-helper.js';

const PASSWORD = 'correct horse battery';
const skip = await probePostgres();
if (skip) console.log(`PostgreSQL notify instance tests skipped: ${skip}`);

async function until(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const kidOf = (token: string): string =>
  JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;

describe.skipIf(skip !== undefined)('two instances on one PostgreSQL schema talk over LISTEN/NOTIFY', () => {
  const schema = freshSchema();
  // Frozen: the key manager's 5 s cache never runs out by itself in these tests.
  const clock = testClock();
  const masterKey = Buffer.alloc(32, 7).toString('base64url');
  // Same database and schema as the storage: the coordinator derives its channel from it.
  const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const storages: Storage[] = [];
  let a: Running;
  let b: Running;
  beforeAll(async () => {
    for (let i = 0; i < 2; i++)
      storages.push(await createStorage({ driver: 'postgres', url: PG_URL, schema }));
    a = await startServer({ masterKey, databaseUrl }, { storage: storages[0]!, clock });
    b = await startServer({ masterKey, databaseUrl }, { storage: storages[1]!, clock });
    await addUser(a, 'alice', PASSWORD);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const s of storages) await s.close();
    await dropSchemas([schema]);
  });

  const login = (r: Running) => postJson(`${r.url}/api/login`, { username: 'alice', password: PASSWORD });

  it('each coordinator is on PostgreSQL notify and healthy', () => {
    expect(a.server.services.coordinator.health()).toEqual([{ name: 'postgres-notify', up: true }]);
    expect(b.server.services.coordinator.health()).toEqual([{ name: 'postgres-notify', up: true }]);
  });

  it('a revocation appended on A wakes a feed reader on B through NOTIFY, not the cursor poll', async () => {
    // An hour between polls: only a notification can wake this reader within the test.
    const feed = createFeedNotifier(b.server.services.storage, b.server.services.coordinator, 3_600_000);
    let woken = 0;
    const unsubscribe = feed.subscribe(() => woken++);
    try {
      await new Promise((resolve) => setTimeout(resolve, 50)); // the first poll sets the cursor
      const before = woken;
      await publishSessionRevocations(a.server.services, ['sid-from-a']);
      await until(async () => woken > before, 'the wake-up on B');
      const latest = await b.server.services.storage.revocations.latestCursor();
      expect(latest).toBeGreaterThan(0);
    } finally {
      unsubscribe();
      feed.close();
    }
  });

  it('a key revoked on A: B stops signing with it and stops accepting it without waiting for its cache', async () => {
    const first = await login(b);
    expect(first.status).toBe(200);
    const kid = kidOf(first.body.access_token);
    expect(
      (await getJson(`${b.url}/api/me`, { authorization: `Bearer ${first.body.access_token}` })).status,
    ).toBe(200);
    await revokeSigningKey(a.server.services, kid, { actor: 'test', request: { ip: null, userAgent: null } });
    await until(async () => {
      const next = await login(b);
      return next.status === 200 && kidOf(next.body.access_token) !== kid;
    }, 'B to sign with another key');
    const me = await getJson(`${b.url}/api/me`, { authorization: `Bearer ${first.body.access_token}` });
    expect(me.status).toBe(401);
    const jwks = await getJson(`${b.url}/.well-known/jwks.json`);
    expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).not.toContain(kid);
  });
  it('a client changed on A: B hears the directory invalidation and reads the change at once', async () => {
    const heard: string[] = [];
    const off = b.server.services.coordinator.onInvalidation((what) => heard.push(what));
    try {
      await b.server.services.directory.client(WEB_CLIENT_ID); // cached on B
      await updateClient(a.server.services, WEB_CLIENT_ID, { name: 'Renamed on A' });
      await until(async () => heard.includes('directory'), 'the invalidation on B');
      expect((await b.server.services.directory.client(WEB_CLIENT_ID))?.name).toBe('Renamed on A');
    } finally {
      off();
    }
  });
});
