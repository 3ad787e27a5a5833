// A captured DPoP proof replayed on another instance of the cluster: with Redis shared, a proof is
// claimed once for the whole cluster, not once per instance's replay cache.
import { createDpopProof, generateKeyPair, type PrivateKey } from '@keycard/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Coordinator, createRedisCoordinator } from '../src/index.js';
import { addUser, type Running, startServer } from './helpers.js';
import { probeRedis, REDIS_URL, uniquePrefix } from './support/redis.js';

const PASSWORD = 'correct horse battery';
const ISSUER = 'http://keycard.test';
const skip = await probeRedis();
if (skip) console.log(`DPoP cluster replay tests skipped: ${skip}`);

describe.skipIf(skip !== undefined)('a DPoP proof replayed on another instance', () => {
  const prefix = uniquePrefix();
  const coordinators: Coordinator[] = [];
  let a: Running;
  let b: Running;
  let key: PrivateKey;
  beforeAll(async () => {
    for (let i = 0; i < 2; i++)
      coordinators.push(await createRedisCoordinator({ url: REDIS_URL, keyPrefix: prefix }));
    const config = { databaseUrl: 'memory', issuer: ISSUER };
    a = await startServer(config, { coordinator: coordinators[0]!, webClientDpop: 'as-seeded' });
    b = await startServer(config, { coordinator: coordinators[1]!, webClientDpop: 'as-seeded' });
    for (const r of [a, b]) await addUser(r, 'alice', PASSWORD);
    key = await generateKeyPair('ES256');
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    for (const c of coordinators) await c.close();
  });

  const login = async (r: Running, proof: string) => {
    const res = await fetch(`${r.url}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', dpop: proof },
      body: JSON.stringify({ username: 'alice', password: PASSWORD }),
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
  };

  it('is refused there as on the instance that saw it first', async () => {
    const proof = createDpopProof(key, { method: 'POST', url: `${ISSUER}/api/login` });
    expect((await login(a, proof)).status).toBe(200);
    const again = await login(b, proof);
    expect(again.status).toBe(400);
    expect(again.body.error?.code).toBe('ERR_INVALID_DPOP_PROOF');
    // A fresh proof of the same key is fine on either.
    const fresh = createDpopProof(key, { method: 'POST', url: `${ISSUER}/api/login` });
    expect((await login(b, fresh)).status).toBe(200);
  });
});
