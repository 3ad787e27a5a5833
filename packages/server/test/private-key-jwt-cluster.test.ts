// A private_key_jwt assertion replayed on another instance of the cluster (two servers sharing one
// PostgreSQL database and Redis): its jti is claimed once for the whole cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, createRedisCoordinator, createStorage, type Storage } from '../src/index.js';
import { addAudience, postForm, type Running, startServer } from './helpers.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './storage/postgres-helper.js';
import {
  ASSERTION_TYPE,
  addClient,
  type ClientKey,
  clientKey,
  signAssertion,
} from './support/client-assertions.js';
import { probeRedis, REDIS_URL, uniquePrefix } from './support/redis.js';

const ISSUER = 'http://keycard.test';
const skip = (await probePostgres()) ?? (await probeRedis());
if (skip) console.log(`private_key_jwt cluster tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('a client assertion replayed on another instance', () => {
  const schema = freshSchema();
  const prefix = uniquePrefix();
  const masterKey = Buffer.alloc(32, 7).toString('base64url');
  const storages: Storage[] = [];
  const coordinators: Coordinator[] = [];
  let a: Running;
  let b: Running;
  let key: ClientKey;
  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      storages.push(await createStorage({ driver: 'postgres', url: PG_URL, schema }));
      coordinators.push(await createRedisCoordinator({ url: REDIS_URL, keyPrefix: prefix }));
    }
    const config = { issuer: ISSUER, masterKey };
    a = await startServer(config, { storage: storages[0]!, coordinator: coordinators[0]! });
    b = await startServer(config, { storage: storages[1]!, coordinator: coordinators[1]! });
    await addAudience(a, 'rooms', ['rooms:read']);
    key = await clientKey('ES256', 'svc-key');
    await addClient(storages[0]!, 'svc', { keys: [key] });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const c of coordinators) await c.close();
    for (const s of storages) await s.close();
    await dropSchemas([schema]);
  });

  const token = (r: Running, clientAssertion: string) =>
    postForm(`${r.url}/oauth/token`, {
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: clientAssertion,
    });

  it('is refused there as on the instance that saw it first', async () => {
    const assertion = await signAssertion(key, 'svc', ISSUER, Date.now());
    expect((await token(a, assertion)).status).toBe(200);
    const again = await token(b, assertion);
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ error: 'invalid_client', code: 'ERR_INVALID_CLIENT' });
    // A fresh assertion of the same client is fine on either.
    const fresh = await signAssertion(key, 'svc', ISSUER, Date.now());
    expect((await token(b, fresh)).status).toBe(200);
  });
});
