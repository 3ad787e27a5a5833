// Cross-instance messaging of the shared coordinators (Redis pub/sub, PostgreSQL LISTEN/NOTIFY)
// and the start-up errors of a configured Redis.
import { inspect } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Coordinator,
  createCoordinator,
  createRedisCoordinator,
  createStorage,
  openServices,
  parseConfig,
  type Storage,
} from '../src/index.js';
import { dropSchemas, freshSchema, PG_URL, probePostgres } from './storage/postgres-helper.js';
import {
  freePort,
  ownRedis,
  probeRedis,
  REDIS_URL,
  redisServerMissing,
  uniquePrefix,
} from './support/redis.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const redisSkip = await probeRedis();
const pgSkip = await probePostgres();
if (redisSkip) console.log(`Redis messaging tests skipped: ${redisSkip}`);
if (pgSkip) console.log(`PostgreSQL notify tests skipped: ${pgSkip}`);
const silent = { info() {}, warn() {}, error() {} };

const event = (cursor: number) => ({
  cursor,
  type: 'session' as const,
  sid: `s${cursor}`,
  at: 1,
  expiresAt: 2,
});

/** Waits until `check` holds, then a little more so a duplicate would have arrived too. */
async function settle(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Records what each coordinator hears (order between different publishers is not defined). */
function listen(coordinators: Coordinator[]) {
  return coordinators.map((c) => {
    const heard: string[] = [];
    c.onRevocation((e) => heard.push(`revocation:${e.cursor}`));
    c.onInvalidation((what) => heard.push(`invalidate:${what}`));
    return heard;
  });
}

describe('configured Redis at start-up', () => {
  it('a URL that is not redis:// or rediss:// is ERR_CONFIG_INVALID naming redis.url', () => {
    expect(() => parseConfig({ redis: { url: 'http://cache:6379' } })).toThrow(/redis\.url/);
    expect(() => parseConfig({ redis: { url: 'http://cache:6379' } })).toThrowError(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }),
    );
    expect(parseConfig({ redis: { url: 'rediss://cache:6380' } }).redis).toEqual({
      url: 'rediss://cache:6380',
      keyPrefix: 'keycard:',
      degradedLimitDivisor: 3,
    });
  });

  it('unreachable: the start fails with ERR_REDIS_UNAVAILABLE naming the host, never the password', async () => {
    const port = await freePort();
    const url = `redis://:hunter2secret@127.0.0.1:${port}`;
    const failure = await openServices({ databaseUrl: 'memory', logLevel: 'silent', redis: { url } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: 'ERR_REDIS_UNAVAILABLE' });
    expect((failure as Error).message).toContain(`127.0.0.1:${port}`);
    expect((failure as Error).message).not.toContain('hunter2secret');
  });
});

const ownSkip = redisServerMissing();
describe.skipIf(ownSkip !== undefined)('a Redis that refuses the password in the URL', () => {
  it('neither the start-up error nor a later reconnect error carries the password (ioredis puts it in command.args)', async () => {
    const own = await ownRedis('first-secret-x9');
    await own.start();
    try {
      const wrong = own.url.replace('first-secret-x9', 'wrong-secret-q7');
      const failure = await createRedisCoordinator({ url: wrong }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toMatchObject({ code: 'ERR_REDIS_UNAVAILABLE' });
      expect((failure as Error).message).toContain('WRONGPASS');
      expect(inspect(failure, { depth: 10 })).not.toContain('wrong-secret-q7');

      const errors: unknown[] = [];
      const c = await createRedisCoordinator({ url: own.url, onError: (error) => errors.push(error) });
      try {
        // The password changes under the running instance: its reconnects are refused.
        const admin = new Redis(own.url);
        await admin.config('SET', 'requirepass', 'second-secret-z3');
        await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
        admin.disconnect();
        const deadline = Date.now() + 10_000;
        while (!errors.some((e) => /WRONGPASS/.test(String((e as Error).message)))) {
          if (Date.now() > deadline) throw new Error('no refused reconnect reported');
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        for (const error of errors) expect(inspect(error, { depth: 10 })).not.toContain('first-secret-x9');
      } finally {
        await c.close();
      }
    } finally {
      await own.kill();
    }
  });
});

describe.skipIf(redisSkip !== undefined)('Redis pub/sub between instances', () => {
  it('each instance hears each message once, the publisher included', async () => {
    const keyPrefix = uniquePrefix();
    const a = await createRedisCoordinator({ url: REDIS_URL, keyPrefix });
    const b = await createRedisCoordinator({ url: REDIS_URL, keyPrefix });
    const other = await createRedisCoordinator({ url: REDIS_URL, keyPrefix: uniquePrefix() });
    try {
      const [heardA, heardB, heardOther] = listen([a, b, other]);
      await a.publishRevocation(event(41));
      await b.publishInvalidation('keys');
      await settle(() => heardA!.length === 2 && heardB!.length === 2);
      expect(heardA!.sort()).toEqual(['invalidate:keys', 'revocation:41']);
      expect(heardB!.sort()).toEqual(['invalidate:keys', 'revocation:41']);
      expect(heardOther).toEqual([]);
      // One sliding window for both: hits on A count on B.
      expect((await a.rateLimit('shared', 2, 60_000)).allowed).toBe(true);
      expect((await b.rateLimit('shared', 2, 60_000)).allowed).toBe(true);
      expect((await a.rateLimit('shared', 2, 60_000)).allowed).toBe(false);
      expect(a.health()).toEqual([{ name: 'redis', up: true }]);
    } finally {
      for (const c of [a, b, other]) await c.close();
    }
  });
});

describe.skipIf(redisSkip !== undefined)('a Redis that stops answering (black-holed)', () => {
  it('calls fall back to stricter local limits after the command timeout, skip Redis a while, then return', async () => {
    const target = new URL(REDIS_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    const c = await createRedisCoordinator({
      url: `redis://127.0.0.1:${proxy.port}`,
      keyPrefix: uniquePrefix(),
      degradedLimitDivisor: 2,
      commandTimeoutMs: 300,
    });
    try {
      expect(c.health()).toEqual([{ name: 'redis', up: true }]);
      proxy.blackhole();
      // ceil(4 / 2) = 2 locally; the first call waits for the command timeout, the others do not wait.
      const during: boolean[] = [];
      for (let i = 0; i < 3; i++) during.push((await c.rateLimit('held', 4, 60_000)).allowed);
      expect(during).toEqual([true, true, false]);
      expect(c.health()[0]).toMatchObject({ name: 'redis', up: false });
      await c.publishRevocation(event(1)); // answered, not stuck behind the silent connection
      await proxy.restore();
      const deadline = Date.now() + 15_000;
      while (!c.health()[0]!.up) {
        if (Date.now() > deadline) throw new Error('Redis did not come back');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const after: boolean[] = [];
      for (let i = 0; i < 5; i++) after.push((await c.rateLimit('back', 4, 60_000)).allowed);
      expect(after).toEqual([true, true, true, true, false]);
    } finally {
      await c.close();
      await proxy.close();
    }
  });
});

describe.skipIf(pgSkip !== undefined)('PostgreSQL LISTEN/NOTIFY between instances', () => {
  const schema = freshSchema();
  const storages: Storage[] = [];
  const coordinators: Coordinator[] = [];
  afterAll(async () => {
    for (const c of coordinators) await c.close();
    for (const s of storages) await s.close();
    await dropSchemas([schema]);
  });

  const open = async (redisUrl?: string, keyPrefix?: string) => {
    const storage = await createStorage({ driver: 'postgres', url: PG_URL, schema });
    storages.push(storage);
    const config = parseConfig({
      databaseUrl: `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`,
      ...(redisUrl === undefined ? {} : { redis: { url: redisUrl, keyPrefix } }),
    });
    const coordinator = await createCoordinator(config, storage, silent);
    coordinators.push(coordinator);
    return coordinator;
  };

  it('without Redis, warns at start that rate limits count per instance; with Redis, does not', async () => {
    const storage = await createStorage({ driver: 'postgres', url: PG_URL, schema });
    storages.push(storage);
    const databaseUrl = `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    for (const redis of redisSkip === undefined ? [undefined, REDIS_URL] : [undefined]) {
      const warned: string[] = [];
      const logger = { ...silent, warn: (_o: unknown, msg?: string) => void warned.push(String(msg)) };
      const config = parseConfig({
        databaseUrl,
        ...(redis === undefined ? {} : { redis: { url: redis, keyPrefix: uniquePrefix() } }),
      });
      coordinators.push(await createCoordinator(config, storage, logger));
      expect(warned.some((m) => /rate limits .* per instance/.test(m))).toBe(redis === undefined);
    }
  });

  it('carries wake-ups and invalidations to the other instances on the schema, once each', async () => {
    const a = await open();
    const b = await open();
    expect(b.health()).toEqual([{ name: 'postgres-notify', up: true }]);
    const [heardA, heardB] = listen([a, b]);
    await a.publishRevocation(event(7));
    await b.publishInvalidation('directory');
    await settle(() => heardA!.length === 2 && heardB!.length === 2);
    expect(heardA!.sort()).toEqual(['invalidate:directory', 'revocation:7']);
    expect(heardB!.sort()).toEqual(['invalidate:directory', 'revocation:7']);
  });

  it.skipIf(redisSkip !== undefined)(
    'with Redis too, a message over both transports is delivered once',
    async () => {
      const keyPrefix = uniquePrefix();
      const a = await open(REDIS_URL, keyPrefix);
      const b = await open(REDIS_URL, keyPrefix);
      expect(a.health().map((h) => h.name)).toEqual(['redis', 'postgres-notify']);
      const [heardA, heardB] = listen([a, b]);
      await a.publishRevocation(event(9));
      await a.publishInvalidation('keys');
      await settle(() => heardB!.length === 2);
      expect(heardA).toEqual(['revocation:9', 'invalidate:keys']);
      expect(heardB).toEqual(['revocation:9', 'invalidate:keys']);
    },
  );
});
