// Redis goes away under a running server and comes back: no 5xx, stricter local limits meanwhile,
// /readyz and metrics say so, and everything returns to Redis by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, getJson, postJson, type Running, startServer } from './helpers.js';
import { type OwnRedis, ownRedis, redisServerMissing, uniquePrefix } from './support/redis.js';

const PASSWORD = 'correct horse battery';
const METRICS_TOKEN = 'metrics-token-for-the-degraded-redis-test';
const skip = redisServerMissing();
if (skip) console.log(`Redis degraded-mode tests skipped: ${skip}`);

async function until(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(skip !== undefined)('a Redis that goes away and comes back', () => {
  let redis: OwnRedis;
  let server: Running;
  beforeAll(async () => {
    redis = await ownRedis();
    await redis.start();
    server = await startServer({
      databaseUrl: 'memory',
      redis: { url: redis.url, keyPrefix: uniquePrefix(), degradedLimitDivisor: 3 },
      throttle: { loginPerIp: { limit: 6, windowSeconds: 600 } },
      metrics: { token: METRICS_TOKEN },
    });
    await addUser(server, 'alice', PASSWORD);
  });
  afterAll(async () => {
    await server?.close();
    await redis?.kill();
  });

  const login = () => postJson(`${server.url}/api/login`, { username: 'alice', password: PASSWORD });
  const ready = () => getJson(`${server.url}/readyz`);
  const gauge = async () => {
    const res = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    return /keycard_coordinator_up\{backend="redis"\} (\d)/.exec(await res.text())?.[1];
  };
  /** Signs in until refused; every answer is 200 or 429. */
  const allowedBeforeRefusal = async () => {
    for (let n = 0; n < 20; n++) {
      const res = await login();
      expect([200, 429]).toContain(res.status);
      if (res.status === 429) return n;
    }
    return 20;
  };

  it('while Redis is up, limits are cluster-wide (the configured budget) and /readyz is plain', async () => {
    expect((await ready()).body).toEqual({ status: 'ready' });
    expect(await gauge()).toBe('1');
    expect(await allowedBeforeRefusal()).toBe(6);
  });

  it('Redis killed: sign-ins still answer (no 5xx) with the stricter local limit; /readyz says degraded', async () => {
    await redis.kill();
    await until(async () => (await ready()).body?.degraded !== undefined, '/readyz to report the outage');
    const res = await ready();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', degraded: ['redis'] });
    expect(await gauge()).toBe('0');
    // ceil(6 / 3) = 2 sign-ins from this address on this instance alone.
    expect(await allowedBeforeRefusal()).toBe(2);
  });

  it('Redis back on the same port: the server returns to it by itself', async () => {
    await redis.start();
    await until(async () => (await ready()).body?.degraded === undefined, '/readyz to recover');
    expect(await gauge()).toBe('1');
    // The restarted Redis kept nothing (no persistence): the full shared budget again.
    expect(await allowedBeforeRefusal()).toBe(6);
  });
});
