// Several keycard instances on one database: a fresh PostgreSQL schema (or database), optional Redis,
// server children started one after another (the first migrates and seeds), and their teardown.
// Everything stays on 127.0.0.1; what a bench creates (schema, database, Redis keys) it removes.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { startChild } from './http.mjs';
import { BENCH_DIR } from './report.mjs';

/** The PostgreSQL the tests use; override with KEYCARD_TEST_PG_URL (or a bench's --pg-url). */
export const PG_URL = process.env.KEYCARD_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** The Redis the tests use; override with KEYCARD_REDIS_URL (or a bench's --redis-url). */
export const REDIS_URL = process.env.KEYCARD_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Every instance of a set signs with this issuer, so a card from one is valid at a guard of another. */
export const ISSUER = 'https://keycard.bench.test';

/** Resolves to a reason to skip when PostgreSQL does not answer, else undefined. */
export async function probePostgres(url = PG_URL) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${new URL(url).host} is unreachable (${error.message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** `url` with its path replaced by `/<database>` (and the query kept). */
function withDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** `url` whose connections use `schema` (what a deployment puts in KEYCARD_DATABASE_URL). */
function withSearchPath(url, schema) {
  const u = new URL(url);
  u.searchParams.set('options', `-c search_path=${schema}`);
  return u.toString();
}

async function adminQuery(url, sql) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * A fresh, empty place in PostgreSQL for one set of instances:
 * - `isolate: 'schema'` (default): a new schema in the test database (like the tests'
 *   postgres-helper `freshSchema`), reached through `search_path` in the URL;
 * - `isolate: 'database'`: a new database, so `pg_stat_database` counts only keycard's transactions.
 * Returns { databaseUrl, database, schema, drop() }.
 */
export async function freshPostgres({ url = PG_URL, isolate = 'schema' } = {}) {
  const name = `kc_bench_${randomBytes(5).toString('hex')}`;
  if (isolate === 'database') {
    const adminUrl = withDatabase(url, 'postgres');
    await adminQuery(adminUrl, `create database "${name}"`);
    return {
      databaseUrl: withDatabase(url, name),
      database: name,
      schema: 'public',
      adminUrl,
      drop: () => adminQuery(adminUrl, `drop database if exists "${name}" with (force)`),
    };
  }
  await adminQuery(url, `create schema "${name}"`);
  return {
    databaseUrl: withSearchPath(url, name),
    database: new URL(url).pathname.slice(1),
    schema: name,
    adminUrl: url,
    drop: () => adminQuery(url, `drop schema if exists "${name}" cascade`),
  };
}

/** Commits and rollbacks of one database so far (pg_stat_database; the stats lag by up to ~1 s). */
export async function pgTransactions(adminUrl, database) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('select pg_stat_clear_snapshot()');
    const { rows } = await client.query(
      'select xact_commit::bigint as c, xact_rollback::bigint as r from pg_stat_database where datname = $1',
      [database],
    );
    return Number(rows[0]?.c ?? Number.NaN) + Number(rows[0]?.r ?? 0);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Does the built server know `redis.url`? (Its config schema is strict: an unknown key is refused,
 * so before the Redis coordinator lands the Redis variants are skipped, with this reason.)
 */
export async function redisSupport(url = REDIS_URL) {
  const { configSchema } = await import('@keycard/server');
  if (!configSchema.safeParse({ redis: { url } }).success) {
    return {
      ok: false,
      reason: 'this build of @keycard/server has no `redis` config (coordinator not merged)',
    };
  }
  const { default: Redis } = await import('ioredis');
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  try {
    await client.connect();
    await client.ping();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `Redis at ${new URL(url).host} is unreachable (${error.message})` };
  } finally {
    client.disconnect();
  }
}

/** Deletes the keys under a bench's own prefix (never anything else: no FLUSHDB). */
export async function dropRedisPrefix(url, prefix) {
  const { default: Redis } = await import('ioredis');
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await client.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

const KEYCARD_SERVER = join(BENCH_DIR, 'servers', 'keycard-server.mjs');

// Sets still open: Ctrl-C (or a SIGTERM) drops their schemas, databases and Redis keys before exiting.
const openSets = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`${signal}: cleaning up ${openSets.size} set(s) of instances`);
    Promise.allSettled([...openSets].map((close) => close())).finally(() => process.exit(130));
  });
}

/**
 * Starts `instances` keycard servers on one store: `kind` 'sqlite' (one instance, temp data dir),
 * 'pg' (a fresh PostgreSQL schema or database) or 'pg+redis' (the same plus `redis: { url, keyPrefix }`
 * in the config and KEYCARD_REDIS_URL in the environment). The first instance migrates and seeds
 * (`users` argon2 users, the bench clients); the others start on what it made. `cpus`: the CPU each
 * instance is pinned to, round-robin (null: not pinned). `config` is merged into every instance's.
 * `memoryCoordinator`: each instance gets an in-process coordinator (no NOTIFY, no Redis), the
 * behaviour before the shared coordinator: instances learn of each other's events by polling.
 * Returns { kind, label, instances: [{ url, pid, child, stop }], seed, pgInfo, close() }.
 */
export async function startSet({
  kind,
  instances = 1,
  users = 50,
  cpus = [0],
  config = {},
  countStorage = false,
  memoryCoordinator = false,
  isolate = 'schema',
  pgUrl = PG_URL,
  redisUrl = REDIS_URL,
}) {
  if (kind === 'sqlite' && instances !== 1) throw new Error('SQLite serves one instance only');
  const masterKey = randomBytes(32).toString('base64url');
  const base = { ...config, issuer: ISSUER, masterKey };
  let env;
  let pgInfo;
  let redisPrefix;
  if (kind !== 'sqlite') {
    pgInfo = await freshPostgres({ url: pgUrl, isolate });
    base.databaseUrl = pgInfo.databaseUrl;
  }
  if (kind === 'pg+redis') {
    redisPrefix = `keycard-bench-${randomBytes(4).toString('hex')}:`;
    base.redis = { url: redisUrl, keyPrefix: redisPrefix };
    env = { KEYCARD_REDIS_URL: redisUrl };
  }
  const started = [];
  const close = async () => {
    openSets.delete(close);
    await Promise.all(started.map((s) => s.stop()));
    if (pgInfo) await pgInfo.drop().catch((e) => console.error(`dropping ${pgInfo.schema}: ${e.message}`));
    if (redisPrefix) await dropRedisPrefix(redisUrl, redisPrefix).catch(() => {});
  };
  openSets.add(close);
  try {
    for (let i = 0; i < instances; i++) {
      const cpu = cpus === null ? null : cpus[i % cpus.length];
      const s = await startChild(
        KEYCARD_SERVER,
        { users: i === 0 ? users : 0, seed: i === 0, countStorage, memoryCoordinator, config: base },
        { cpu, env, timeoutMs: 180_000 },
      );
      started.push(s);
    }
  } catch (error) {
    await close();
    throw error;
  }
  const seed = started[0].ready;
  const wakeups =
    kind === 'sqlite'
      ? '— (one instance)'
      : seed.coordinator?.length
        ? seed.coordinator.map((c) => `${c.name}${c.up ? '' : ' (down)'}`).join(' + ')
        : 'none: 1 s cursor poll';
  const label = {
    sqlite: 'SQLite',
    pg: 'PostgreSQL',
    'pg+redis': 'PostgreSQL + Redis',
  }[kind];
  return {
    kind,
    label,
    wakeups,
    instances: started.map((s) => ({ url: s.ready.url, pid: s.child.pid, child: s.child, stop: s.stop })),
    seed,
    pgInfo,
    close,
  };
}

let statsId = 0;

/** Asks a server child (started with countStorage) for its storage call counts so far. */
export function storageCalls(child) {
  const id = ++statsId;
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no stats answer')), 5000);
    const on = (m) => {
      if (m?.type !== 'stats' || m.id !== id) return;
      clearTimeout(t);
      child.off('message', on);
      resolve(m.storageCalls ?? {});
    };
    child.on('message', on);
    child.send({ type: 'stats', id });
  });
}

/** Total of the calls in `after` minus `before`, and the per-method differences that are not zero. */
export function diffCalls(before, after) {
  const perMethod = {};
  let total = 0;
  for (const [k, v] of Object.entries(after)) {
    const d = v - (before[k] ?? 0);
    if (d) perMethod[k] = d;
    total += d;
  }
  return { total, perMethod };
}

/** Parses `--storage sqlite,pg,pg+redis` style lists. */
export function listArg(value, fallback) {
  if (value === undefined || value === true) return fallback;
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
